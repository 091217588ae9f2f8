"""The quick test in front of the credential pattern never changes its answer."""

from __future__ import annotations

import pytest

from cnmm.rules._credentials import CREDENTIAL_VALUE, credential_shaped

VALUES = [
    "-----BEGIN RSA PRIVATE KEY-----\nMIIE...",
    "--- BEGIN OPENSSH PRIVATE KEY",
    "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
    "AKIAIOSFODNN7EXAMPL",  # one character short
    "token ghp_" + "a" * 36,
    "ghs_" + "B" * 36 + " trailing",
    "ghx_" + "a" * 36,  # not a GitHub prefix
    "xoxb-1234567890-abcdef",
    "xoxz-1234567890-abcdef",
    "sk_live_" + "9" * 24,
    "sk_test_" + "9" * 24,
    "glpat-" + "x" * 20,
    "PRIVATE KEY without a BEGIN line",
    "a grafana dashboard\n" * 500,
    "",
]


@pytest.mark.parametrize("value", VALUES)
def test_the_quick_test_agrees_with_the_pattern(value: str) -> None:
    assert credential_shaped(value) == (CREDENTIAL_VALUE.search(value) is not None)


def test_the_examples_cover_both_answers() -> None:
    assert {credential_shaped(v) for v in VALUES} == {True, False}
