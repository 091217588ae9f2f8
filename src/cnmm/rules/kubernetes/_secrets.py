"""Secret-looking names and values, shared by the two secrets rules (no rule here)."""

from __future__ import annotations

import re

SECRET_NAME = re.compile(
    r"(passw(or)?d|passwd|\bpwd\b|secret|token|api[_-]?key|apikey|private[_-]?key|"
    r"credential|access[_-]?key|client[_-]?secret|auth[_-]?key|_pwd$|^pwd|_key$|key_content)",
    re.IGNORECASE,
)
# Names that mention a secret but hold a reference to it, not the secret itself.
REFERENCE_NAME = re.compile(
    r"(_FILE|_PATH|_DIR|_NAME|_URL|_URI|_ENDPOINT|_HEADER|_KEY_ID|_TTL|_EXPIRY|_LENGTH|_REF|"
    r"_ENABLED|_SECRET_NAME)$",
    re.IGNORECASE,
)
SECRET_VALUE = re.compile(
    r"(-{3,}\s*BEGIN [A-Z ]*PRIVATE KEY|\bAKIA[0-9A-Z]{16}\b|\bgh[pousr]_[A-Za-z0-9]{36}\b|"
    r"\bxox[baprs]-[A-Za-z0-9-]{10,}|\bsk_live_[A-Za-z0-9]{16,})"
)
PLACEHOLDER = re.compile(r"^(\$\(.*\)|\$\{.*\}|)$")
# Each alternative of SECRET_VALUE contains one of these: a substring test rules most values
# out many times faster than the pattern, which has no fixed start to search for.
_VALUE_MARKERS = ("PRIVATE KEY", "AKIA", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "xox", "sk_live_")


def credential_shaped(value: str) -> bool:
    """Whether a value holds a credential-shaped string (private key block, cloud access
    key, token)."""
    return any(m in value for m in _VALUE_MARKERS) and SECRET_VALUE.search(value) is not None


def secret_reason(name: str, value: str | None) -> str | None:
    """Why a literal name/value pair looks like a secret, or None."""
    if value is None:
        return None
    if credential_shaped(value):
        return f"{name} holds a credential-shaped value"
    if (
        SECRET_NAME.search(name)
        and not REFERENCE_NAME.search(name)
        and not PLACEHOLDER.match(value.strip())
        and value.strip().lower() not in ("true", "false")
        and "/" not in value.strip()[:1]
    ):
        return f"{name} is a secret-looking name with a literal value"
    return None
