"""Typed facts: what collectors observed, before any judgement.

Evidence flows one way: collect -> facts -> rule findings -> criteria -> levels.
Each source has its own fact record; `Facts` bundles whatever sources were scanned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cnmm.facts.kubernetes import KubernetesFacts
    from cnmm.facts.repository import RepositoryFacts


@dataclass(frozen=True)
class FileError:
    """A file (or input) that could not be read; the rest of the scan goes on."""

    path: str
    reason: str

    def to_json(self) -> dict[str, str]:
        """JSON form."""
        return {"path": self.path, "reason": self.reason}


@dataclass(frozen=True)
class Facts:
    """Everything one scan observed, per source; a source not scanned is None."""

    kubernetes: KubernetesFacts | None = None
    repository: RepositoryFacts | None = None
    errors: tuple[FileError, ...] = field(default_factory=tuple)

    def for_source(self, needs: str) -> object | None:
        """The fact record a rule with `needs` works on (None when not scanned)."""
        return getattr(self, needs, None)
