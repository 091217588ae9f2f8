"""Secret-looking names and values, shared by the two Kubernetes secrets rules (no rule
here); what a credential value looks like is `cnmm.rules._credentials`."""

from __future__ import annotations

import re

from cnmm.rules._credentials import credential_shaped

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
PLACEHOLDER = re.compile(r"^(\$\(.*\)|\$\{.*\}|)$")


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
