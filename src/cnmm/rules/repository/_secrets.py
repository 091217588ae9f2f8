"""Secret-looking ENV/ARG settings in Dockerfiles (shared helper, no rule here).

Names are split into words (`DB_PASSWORD`, `npmToken`, `api-key` -> db/password, npm/token,
api/key) so that `TOKENIZERS_PARALLELISM` or `PASSTHROUGH` are not mistaken for secrets, and
names that hold a reference rather than the secret (`PASSWORD_FILE`, `TOKEN_URL`, `KEY_ID`)
or public material (`GPG_KEY`, `PUBLIC_KEY`, `*_FINGERPRINT`) are left alone.
"""

from __future__ import annotations

import re

from cnmm.rules._credentials import credential_shaped

_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
SECRET_WORDS = frozenset(
    {
        "password",
        "passwd",
        "passphrase",
        "secret",
        "secrets",
        "token",
        "apikey",
        "credential",
        "credentials",
        "pwd",
        "pass",
    }
)
KEY_QUALIFIERS = frozenset(
    {
        "api",
        "private",
        "access",
        "secret",
        "auth",
        "encryption",
        "signing",
        "master",
        "jwt",
        "license",
        "client",
    }
)
REFERENCE_WORDS = frozenset(
    {
        "file",
        "path",
        "dir",
        "url",
        "uri",
        "endpoint",
        "name",
        "id",
        "ttl",
        "length",
        "enabled",
        "header",
        "type",
        "version",
        "host",
        "port",
        "user",
        "username",
        "env",
        "var",
        "mount",
        "location",
        "fingerprint",
        "keyring",
        "keyserver",
        "policy",
        "format",
    }
)
PUBLIC_WORDS = frozenset({"gpg", "pgp", "public", "pub"})
_REFERENCE_VALUE = re.compile(r"^\$(\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*)$")


def name_words(name: str) -> list[str]:
    """Lower-case words of a variable name."""
    return [w.lower() for w in _WORDS.findall(name)]


def secret_name(name: str) -> bool:
    """Whether a variable name says it holds a secret."""
    words = name_words(name)
    if not words or words[-1] in REFERENCE_WORDS or PUBLIC_WORDS & set(words):
        return False
    if (words == ["pwd"]) or (words == ["pass"]):
        return False  # the shell's working directory; a bare flag
    if SECRET_WORDS & set(words):
        return True
    return any(w == "key" and i > 0 and words[i - 1] in KEY_QUALIFIERS for i, w in enumerate(words))


def secret_reason(name: str, value: str | None) -> str | None:
    """Why a literal name/value pair looks like a secret, or None."""
    if value is None:
        return None
    text = value.strip()
    if credential_shaped(text):
        return f"{name} holds a credential-shaped value"
    if not text or _REFERENCE_VALUE.match(text) or text.lower() in ("true", "false"):
        return None
    if secret_name(name):
        return f"{name} is a secret-looking name with a literal value"
    return None
