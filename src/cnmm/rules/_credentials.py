"""Credential-shaped values, one definition for the Kubernetes and repository secret rules.

How a *name* is judged differs between them (see their `_secrets` modules); what a
credential *value* looks like does not: a private key block, an AWS access key ID, GitHub
and GitLab tokens, Slack tokens, Stripe live keys.
"""

from __future__ import annotations

import re

CREDENTIAL_VALUE = re.compile(
    r"(-{3,}\s*BEGIN [A-Z ]*PRIVATE KEY|\bAKIA[0-9A-Z]{16}\b|\bgh[pousr]_[A-Za-z0-9]{36}\b|"
    r"\bglpat-[A-Za-z0-9_-]{20}\b|\bxox[baprs]-[A-Za-z0-9-]{10,}|\bsk_live_[A-Za-z0-9]{16,})"
)
# Each alternative of CREDENTIAL_VALUE contains one of these: a substring test rules most
# values out many times faster than the pattern, which has no fixed start to search for.
_MARKERS = (
    "PRIVATE KEY",
    "AKIA",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "glpat-",
    "xox",
    "sk_live_",
)


def credential_shaped(value: str) -> bool:
    """Whether a value holds a credential-shaped string."""
    return any(m in value for m in _MARKERS) and CREDENTIAL_VALUE.search(value) is not None
