"""Files that policy test tools compare a cluster with: expected states, not objects.

A chainsaw test (`chainsaw.kyverno.io` Test) applies some files and *asserts* others: an
assert or error file holds the state a test expects to find (often partial: a ClusterPolicy
with only `status: {ready: true}`, a CRD with only its `status`), and the object it
describes is the one the test applied. A Kyverno CLI test (`cli.kyverno.io` Test) likewise
names the expected outcome of a mutation or generation (`patchedResources`,
`generatedResource`) beside the resources it feeds in. Counting those files as cluster
objects would count each tested object twice and report policies that were never written.

Chainsaw and kuttl also have a *conventional* layout, without a test document: in a directory
with no `chainsaw-test.yaml`, files are named `<step>-<name>.yaml` and those named
`<step>-assert.yaml` or `<step>-errors.yaml` (kuttl also allows `<step>-assert-<more>.yaml`)
are the expected states of that step.

A chainsaw `patch` file is a partial object merged into one the test applied before, so it
is dropped too. A file stays an object when any test also applies it (`apply`, `create`,
`update`, `delete`, Kyverno `resources`), so only files used solely as expectations or
patches are dropped.
"""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

# Chainsaw operations whose `file` is compared with the cluster rather than sent to it, and
# `patch`, whose file is a partial object merged into one already applied (like a Kustomize
# patch): neither is an object of its own.
_CHAINSAW_EXPECTED = frozenset({"assert", "error", "patch"})
_CHAINSAW_SENT = frozenset({"apply", "create", "update", "delete"})
_KYVERNO_EXPECTED = ("patchedResource", "patchedResources", "generatedResource",
                     "generatedResources")  # fmt: skip
_KYVERNO_SENT = ("resources", "targetResources")
# Step files of chainsaw's and kuttl's conventional layout that hold expected states.
_CONVENTIONAL_EXPECTED = re.compile(r"\d+-(?:assert|errors)(?:-[^.]*)?\.ya?ml", re.IGNORECASE)
_EXPLICIT_TESTS = frozenset({"chainsaw-test.yaml", "chainsaw-test.yml"})


def _files(directory: str, ref: Any) -> list[str]:
    """The real paths a test's file reference names (a glob may name several)."""
    refs = [ref] if isinstance(ref, str) else ref if isinstance(ref, list) else []
    found: list[str] = []
    for item in refs:
        if not isinstance(item, str) or not item or "://" in item:
            continue  # URLs are not in the scanned tree
        path = os.path.join(directory, item)
        matches = glob.glob(path) if glob.has_magic(item) else [path]
        found.extend(os.path.realpath(m) for m in matches)
    return found


def _chainsaw(node: Any, directory: str, expected: list[str], sent: list[str]) -> None:
    if isinstance(node, Mapping):
        for key, value in node.items():
            if isinstance(value, Mapping) and "file" in value:
                if key in _CHAINSAW_EXPECTED:
                    expected.extend(_files(directory, value["file"]))
                elif key in _CHAINSAW_SENT:
                    sent.extend(_files(directory, value["file"]))
            _chainsaw(value, directory, expected, sent)
    elif isinstance(node, list):
        for item in node:
            _chainsaw(item, directory, expected, sent)


def references(doc: Mapping[str, Any], path: str) -> tuple[list[str], list[str]]:
    """(files used as expected states, files sent to the cluster) by one test document at
    `path`; both empty for any other document."""
    api_version, kind = str(doc.get("apiVersion", "")), doc.get("kind")
    directory = os.path.dirname(path)
    expected: list[str] = []
    sent: list[str] = []
    if kind == "Test" and api_version.startswith("chainsaw.kyverno.io/"):
        _chainsaw(doc.get("spec"), directory, expected, sent)
    elif kind == "Test" and api_version.startswith("cli.kyverno.io/"):
        for key in _KYVERNO_SENT:
            sent.extend(_files(directory, doc.get(key)))
        for result in doc.get("results") or []:
            if isinstance(result, Mapping):
                for key in _KYVERNO_EXPECTED:
                    expected.extend(_files(directory, result.get(key)))
    return expected, sent


def conventional_expectations(paths: Iterable[str]) -> list[str]:
    """Real paths of the assert/errors step files among `paths` that sit in a directory
    without an explicit chainsaw test (chainsaw's and kuttl's conventional layout)."""
    by_directory: dict[str, list[str]] = {}
    for path in paths:
        directory, name = os.path.split(path)
        by_directory.setdefault(directory, []).append(name)
    found: list[str] = []
    for directory, names in by_directory.items():
        if _EXPLICIT_TESTS.isdisjoint(names):
            found.extend(
                os.path.realpath(os.path.join(directory, name))
                for name in names
                if _CONVENTIONAL_EXPECTED.fullmatch(name)
            )
    return found


def expectation_files(
    tests: Iterable[tuple[Iterable[str], Iterable[str]]],
) -> frozenset[str]:
    """Real paths that tests use only as expected states (never send to a cluster)."""
    expected: set[str] = set()
    sent: set[str] = set()
    for exp, snt in tests:
        expected.update(exp)
        sent.update(snt)
    return frozenset(expected - sent)
