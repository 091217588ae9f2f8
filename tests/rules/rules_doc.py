"""Renders docs/rules-kubernetes.md from the k8s.* rule modules (docstring = documentation).

Regenerate after changing a rule:
    python -m tests.rules.rules_doc > docs/rules-kubernetes.md
"""

from __future__ import annotations

from cnmm.rules.base import discover_rules

HEADER = """\
# Kubernetes rules (`k8s.*`)

Generated from the rule modules in `src/cnmm/rules/kubernetes/` (each module's docstring is its
documentation; a test keeps this page identical): `python -m tests.rules.rules_doc >
docs/rules-kubernetes.md`. Findings are pass, fail, not-applicable, not-available or error;
the remediation is attached to failures.
"""


def render() -> str:
    """The whole page."""
    parts = [HEADER]
    for rule_id, rule in discover_rules().items():
        if not rule_id.startswith("k8s."):
            continue
        doc = rule.doc.split(":", 1)[1].strip() if rule.doc.startswith(rule_id) else rule.doc
        doc = doc[:1].upper() + doc[1:]
        parts.append(f"\n## `{rule_id}`: {rule.title}\n\n{doc}\n\n**Remediation**: "
                     f"{rule.remediation}\n")  # fmt: skip
    return "".join(parts)


if __name__ == "__main__":
    print(render(), end="")
