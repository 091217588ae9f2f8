"""The delivery profile: performance bands and rule thresholds held in data (src/cnmm/data).

`load_delivery_profile()` reads `cnmm/data/delivery.yaml`; `band_for(...)` places one proxy
figure in a band. Nothing here reads git: see `cnmm.collect.repository.history`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

PROFILE_RESOURCE = ("cnmm", "data/delivery.yaml")


@dataclass(frozen=True)
class Band:
    """One performance level with its bound (None = no bound) and the report's wording."""

    name: str
    bound: float | None
    reported: str


@dataclass(frozen=True)
class DeliveryProfile:
    """Bands per proxy (best first), their source, and the thresholds of repo.delivery.*."""

    source: Mapping[str, Any]
    proxies: Mapping[str, str]
    bands: Mapping[str, tuple[Band, ...]]
    thresholds: Mapping[str, Any]

    @property
    def source_label(self) -> str:
        """e.g. 'Accelerate State of DevOps Report 2023 (DORA (Google Cloud))'."""
        return (
            f"{self.source.get('name')} {self.source.get('year')} ({self.source.get('publisher')})"
        )

    def threshold(self, rule: str, key: str) -> float:
        """A numeric threshold, e.g. threshold('lead_time', 'max_median_days')."""
        return float(self.thresholds[rule][key])


_BOUND_KEYS = {
    "release_frequency": "at_least_per_day",
    "lead_time": "at_most_days",
    "change_failure": "at_most_rate",
}


def profile_from_data(data: Mapping[str, Any]) -> DeliveryProfile:
    """Build a profile from the YAML structure (ValueError naming what is missing)."""
    try:
        bands = {
            proxy: tuple(
                Band(
                    str(item["band"]),
                    None if item[key] is None else float(item[key]),
                    str(item.get("reported", "")),
                )
                for item in data["bands"][proxy]
            )
            for proxy, key in _BOUND_KEYS.items()
        }
        return DeliveryProfile(
            source=dict(data["source"]),
            proxies=dict(data["proxies"]),
            bands=bands,
            thresholds=dict(data["thresholds"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"delivery profile: missing or invalid entry {exc}") from None


@cache
def load_delivery_profile() -> DeliveryProfile:
    """The packaged delivery profile (cached)."""
    package, name = PROFILE_RESOURCE
    text = resources.files(package).joinpath(name).read_text(encoding="utf-8")
    return profile_from_data(yaml.safe_load(text))


def band_for(profile: DeliveryProfile, proxy: str, value: float | None) -> str | None:
    """The first band (best first) whose bound `value` meets; None without a value."""
    if value is None:
        return None
    higher_is_better = proxy == "release_frequency"
    for band in profile.bands[proxy]:
        if band.bound is None:
            return band.name
        if (value >= band.bound) if higher_is_better else (value <= band.bound):
            return band.name
    return profile.bands[proxy][-1].name if profile.bands[proxy] else None
