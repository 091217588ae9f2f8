"""`cnmm.yaml`: the user's policy, thresholds, targets and exemptions (not code).

Every section is optional; defaults here are documented in docs/configuration.md.
Load with `load_config(path)`; unknown keys are errors naming `file:line`.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cnmm.yamlsource import YamlSourceError, read_sourced_yaml

CONFIG_FILE_NAMES = ("cnmm.yaml", ".cnmm.yaml")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScoringConfig(_Strict):
    """How answers become levels (method: docs/scoring.md)."""

    partial_credit: float = Field(
        0.5, ge=0, le=1, description="weight of a `partial` answer in progress"
    )
    quick_confidence: float = Field(
        0.5, ge=0, le=1, description="confidence of a quick (one level) answer that states none"
    )
    low_confidence: float = Field(
        0.6, ge=0, le=1, description="below this confidence a level is shown as uncertain"
    )
    # Weights only shape the overall *median* (an aspect's dimensions count this many times);
    # levels stay gated, the floor is never weighted, and nothing is ever averaged.
    aspect_weights: dict[str, Annotated[float, Field(ge=0)]] = Field(default_factory=dict)


class ExemptionConfig(_Strict):
    """One exemption: a rule, a subject glob (kind/namespace/name), a reason, an optional expiry."""

    rule: str
    subject: str = "*"
    reason: str = Field(min_length=1)
    expires: date | None = None


class ScanConfig(_Strict):
    """Limits and filters for collection."""

    max_file_size: int = Field(
        10 * 1024 * 1024, gt=0, description="bytes; larger files are skipped"
    )
    include: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)


class AssessConfig(_Strict):
    """How evidence and answers are combined."""

    # answers-stand: answers count, conflicts are flagged; evidence-overrides: evidence wins.
    discrepancy_policy: Literal["answers-stand", "evidence-overrides"] = "answers-stand"
    default_target: int = Field(3, ge=1, le=5)


class Config(_Strict):
    """The whole `cnmm.yaml`."""

    version: Literal[1] = 1
    scoring: ScoringConfig = Field(default_factory=ScoringConfig)
    targets: dict[str, int] = Field(
        default_factory=dict, description="dimension/aspect id -> level"
    )
    exemptions: list[ExemptionConfig] = Field(default_factory=list)
    scan: ScanConfig = Field(default_factory=ScanConfig)
    assess: AssessConfig = Field(default_factory=AssessConfig)


class ConfigError(ValueError):
    """`cnmm.yaml` is invalid; the message names file:line."""


def load_config(path: Path | None) -> Config:
    """Load `cnmm.yaml` (or defaults when `path` is None); raise ConfigError with file:line."""
    if path is None:
        return Config()
    try:
        doc = read_sourced_yaml(path)
    except YamlSourceError as exc:
        raise ConfigError(str(exc)) from None
    try:
        return Config.model_validate(doc.data or {})
    except ValidationError as exc:
        lines = [
            f"{doc.where(list(err['loc']))}: {'.'.join(map(str, err['loc']))}: {err['msg']}"
            for err in exc.errors()
        ]
        raise ConfigError("\n".join(lines)) from None


def find_config(start: Path) -> Path | None:
    """The nearest `cnmm.yaml` in `start` or its parents, if any."""
    for folder in [start, *start.parents]:
        for name in CONFIG_FILE_NAMES:
            candidate = folder / name
            if candidate.is_file():
                return candidate
    return None
