"""Findings: what rules say about subjects, with outcome, location and remediation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Outcome(StrEnum):
    """How a rule judged one subject."""

    PASS = "pass"
    FAIL = "fail"
    NOT_APPLICABLE = "not-applicable"  # the rule does not concern this subject
    NOT_AVAILABLE = "not-available"  # cnmm could not look (no permission, renderer missing, ...)
    ERROR = "error"  # the rule itself failed on this input


@dataclass(frozen=True, order=True)
class Location:
    """A place in a file (1-based line), or a cluster object reference as `path`."""

    path: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass(frozen=True, order=True)
class Subject:
    """What a finding is about: an object, a file, a namespace, or the scan as a whole."""

    kind: str
    name: str
    namespace: str | None = None

    def __str__(self) -> str:
        return "/".join(p for p in (self.kind, self.namespace, self.name) if p)


@dataclass(frozen=True)
class Check:
    """What a rule yields for one subject; the engine turns it into a Finding."""

    outcome: Outcome
    subject: Subject
    message: str
    location: Location | None = None
    # Annotations of the subject object, so `cnmm.io/exempt` can be honoured by the engine.
    annotations: Mapping[str, str] = field(default_factory=dict)


def passed(
    subject: Subject,
    message: str,
    location: Location | None = None,
    annotations: Mapping[str, str] | None = None,
) -> Check:
    """A passing check."""
    return Check(Outcome.PASS, subject, message, location, annotations or {})


def failed(
    subject: Subject,
    message: str,
    location: Location | None = None,
    annotations: Mapping[str, str] | None = None,
) -> Check:
    """A failing check."""
    return Check(Outcome.FAIL, subject, message, location, annotations or {})


def not_applicable(subject: Subject, message: str, location: Location | None = None) -> Check:
    """The rule does not concern this subject."""
    return Check(Outcome.NOT_APPLICABLE, subject, message, location)


def not_available(subject: Subject, reason: str, location: Location | None = None) -> Check:
    """cnmm could not look; `reason` says why (e.g. `forbidden: list networkpolicies`)."""
    return Check(Outcome.NOT_AVAILABLE, subject, reason, location)


@dataclass(frozen=True)
class Exemption:
    """Why a finding is exempted, and from where (config entry or annotation)."""

    reason: str
    origin: str  # "cnmm.yaml" or "annotation"
    expires: str | None = None
    expired: bool = False


@dataclass(frozen=True)
class Finding:
    """A rule's verdict on one subject. Remediation is set only on failures."""

    rule: str
    outcome: Outcome
    subject: Subject
    message: str
    location: Location | None = None
    remediation: str | None = None
    exemption: Exemption | None = None

    @property
    def counts_as_failure(self) -> bool:
        """A failure that is not exempted (expired exemptions do not exempt)."""
        return self.outcome is Outcome.FAIL and (self.exemption is None or self.exemption.expired)

    def to_json(self) -> dict[str, object]:
        """JSON form used by `--format json` (schema cnmm/scan/v1)."""
        return {
            "rule": self.rule,
            "outcome": self.outcome.value,
            "subject": {
                "kind": self.subject.kind,
                "namespace": self.subject.namespace,
                "name": self.subject.name,
            },
            "location": (
                {"path": self.location.path, "line": self.location.line} if self.location else None
            ),
            "message": self.message,
            "remediation": self.remediation,
            "exemption": (
                {
                    "reason": self.exemption.reason,
                    "origin": self.exemption.origin,
                    "expires": self.exemption.expires,
                    "expired": self.exemption.expired,
                }
                if self.exemption
                else None
            ),
        }
