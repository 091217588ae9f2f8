"""The rule interface and automatic discovery.

A rule is one module under `cnmm.rules.<source>` (e.g. `cnmm.rules.kubernetes`), whose
docstring is its user documentation and which defines one module-level `Rule`, normally made
with the `rule` decorator:

    @rule("k8s.workload.readiness-probe", title="...", remediation="...", needs="kubernetes")
    def check(facts: KubernetesFacts) -> Iterator[Check]:
        ...

Discovery imports the rule packages and collects every `Rule` it finds: there is no hand-kept
list, and nothing registers itself at import time.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from cnmm.findings import Check

RULE_PACKAGES = ("cnmm.rules.kubernetes", "cnmm.rules.repository")


@dataclass(frozen=True)
class Rule:
    """A named judgement over one kind of facts (`needs`: "kubernetes" or "repository")."""

    id: str
    title: str
    remediation: str
    needs: str
    check: Callable[[Any], Iterable[Check]]
    doc: str = ""
    module: str = ""

    def __call__(self, facts: Any) -> Iterable[Check]:
        return self.check(facts)


def rule(
    rule_id: str, *, title: str, remediation: str, needs: str
) -> Callable[[Callable[[Any], Iterable[Check]]], Rule]:
    """Wrap a check function as a Rule (no registration: discovery finds it)."""

    def wrap(function: Callable[[Any], Iterable[Check]]) -> Rule:
        return Rule(
            rule_id,
            title,
            " ".join(remediation.split()),
            needs,
            function,
            module=function.__module__,
        )

    return wrap


def _rules_in(package_name: str) -> Iterator[Rule]:
    package = importlib.import_module(package_name)
    for info in pkgutil.iter_modules(package.__path__, package_name + "."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if isinstance(value, Rule) and value.module == info.name:
                yield Rule(
                    value.id,
                    value.title,
                    value.remediation,
                    value.needs,
                    value.check,
                    doc=(module.__doc__ or "").strip(),
                    module=info.name,
                )


@cache
def discover_rules(packages: tuple[str, ...] = RULE_PACKAGES) -> dict[str, Rule]:
    """Every rule in the rule packages, by ID; duplicate IDs are a programming error."""
    found: dict[str, Rule] = {}
    for package_name in packages:
        try:
            importlib.import_module(package_name)
        except ModuleNotFoundError:
            continue
        for item in _rules_in(package_name):
            if item.id in found:
                raise RuntimeError(
                    f"rule id {item.id!r} defined twice ({item.module}, {found[item.id].module})"
                )
            found[item.id] = item
    return dict(sorted(found.items()))
