"""Next steps toward each dimension's target level, in gated order (pure functions).

For every assessed dimension below its target, the criteria not yet met on the levels above
the current one are listed, nearest level first: the next level is "now", the one after
"next", anything further "later" (levels are gated, so a higher level cannot count before
the lower ones do). Each step carries its remediation, effort, the rules that will confirm
it and the CNCF projects that help. Project choice follows the model's own inclusion policy:
graduated and incubating projects first; sandbox projects only for levels 4-5; archived
projects and commercial products never.

Dimensions nobody has assessed yet (no answers, no evidence) are listed apart: the first
step there is to answer the questions, not to guess at remediation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cnmm.catalog.model import LEVEL_NAMES, Catalog, Criterion

HORIZONS = ("now", "next", "later")
HORIZON_TITLES = {
    "now": "Now: reach the next level",
    "next": "Next: the level after",
    "later": "Later: further toward the target",
}
_MATURITY_ORDER = {"graduated": 0, "incubating": 1, "sandbox": 2, "not-cncf": 3}
_EFFORT_ORDER = {"low": 0, "medium": 1, "high": 2}
# Verdicts that need no further work.
_DONE = frozenset({"met", "not-applicable"})

# The model warns that cloud native is no guaranteed saving, least of all early on
# (prologue.md § Business outcomes; technology.md § Architecture, level 3). Reports repeat
# it beside the KPIs so that nobody promises early savings.
COST_CAVEAT = (
    "Costs may rise before they fall: early on, legacy systems keep running while the new "
    "platform is built, so spending can go up before the savings the KPIs describe appear "
    "(CNMM prologue, Business outcomes; Technology, Architecture level 3)."
)


@dataclass(frozen=True)
class DimensionStanding:
    """What the roadmap needs to know about one dimension."""

    dimension: str
    level: int
    target: int | None
    verdicts: Mapping[str, str] = field(default_factory=dict)
    assessed: bool = True


@dataclass(frozen=True)
class RoadmapItem:
    """One criterion to meet on the way to a target."""

    dimension: str
    dimension_name: str
    aspect: str
    current_level: int
    level: int
    horizon: str
    criterion: Criterion
    verdict: str
    projects: tuple[dict[str, Any], ...]

    def to_json(self) -> dict[str, Any]:
        """JSON form (assessment result schema, `roadmap.horizons[].items[]`)."""
        return {
            "dimension": self.dimension,
            "dimension_name": self.dimension_name,
            "aspect": self.aspect,
            "current_level": self.current_level,
            "level": self.level,
            "level_name": LEVEL_NAMES[self.level],
            "criterion": self.criterion.id,
            "statement": self.criterion.statement,
            "verdict": self.verdict,
            "remediation": self.criterion.remediation,
            "effort": self.criterion.effort,
            "rules": list(self.criterion.evidence.rules),
            "projects": list(self.projects),
        }


@dataclass(frozen=True)
class Roadmap:
    """Items grouped into horizons, dimensions still to assess, KPIs and the cost caveat."""

    items: tuple[RoadmapItem, ...]
    kpis: tuple[dict[str, Any], ...]
    unassessed: tuple[dict[str, Any], ...] = ()
    caveat: str = COST_CAVEAT

    def horizon(self, name: str) -> list[RoadmapItem]:
        """The items of one horizon ("now", "next" or "later")."""
        return [item for item in self.items if item.horizon == name]

    def to_json(self) -> dict[str, Any]:
        """JSON form (assessment result schema, `roadmap`)."""
        return {
            "horizons": [
                {
                    "name": name,
                    "title": HORIZON_TITLES[name],
                    "items": [item.to_json() for item in self.horizon(name)],
                }
                for name in HORIZONS
            ],
            "unassessed": list(self.unassessed),
            "kpis": list(self.kpis),
            "caveat": self.caveat,
        }


def helpful_projects(catalog: Catalog, names: Iterable[str], level: int) -> list[dict[str, Any]]:
    """The projects of a criterion worth suggesting at `level`, most mature first."""
    chosen = []
    for name in names:
        project = catalog.projects.get(name)
        if project is None or project.maturity == "archived":
            continue
        if project.kind == "product":
            continue
        if project.maturity == "sandbox" and level < 4:
            continue
        chosen.append({"name": project.name, "maturity": project.maturity, "url": project.url})
    return sorted(chosen, key=lambda p: (_MATURITY_ORDER.get(p["maturity"], 9), p["name"]))


def kpis_for_levels(catalog: Catalog, levels: Iterable[int]) -> tuple[dict[str, Any], ...]:
    """The model's business-outcome KPI examples for the given levels, lowest level first."""
    wanted = set(levels)
    # kpis.yaml as its schema allows it; a catalog built without one has no KPIs
    entries = (catalog.kpis or {}).get("levels", [])
    return tuple(
        {
            "level": entry["level"],
            "name": entry["name"],
            "focus": " ".join(entry["focus"].split()),
            "kpis": [
                {"id": k["id"], "text": k["text"], "kind": k["kind"], "theme": k["theme"]}
                for k in entry["kpis"]
            ],
        }
        for entry in sorted(entries, key=lambda e: e["level"])
        if entry["level"] in wanted
    )


def _horizon(steps_above: int) -> str:
    return HORIZONS[min(steps_above, len(HORIZONS)) - 1]


def build_roadmap(catalog: Catalog, standings: Iterable[DimensionStanding]) -> Roadmap:
    """The roadmap for dimensions below target, gated: lower levels always come first.

    Within a horizon, dimensions at the lowest level come first (they hold the floor down),
    then cheaper steps, then model order.
    """
    items: list[RoadmapItem] = []
    unassessed: list[dict[str, Any]] = []
    worked_levels: set[int] = set()
    for standing in standings:
        dimension = catalog.dimension(standing.dimension)
        if not standing.assessed:
            if standing.target is not None:
                unassessed.append(
                    {
                        "dimension": dimension.id,
                        "dimension_name": dimension.name,
                        "aspect": dimension.aspect,
                        "target": standing.target,
                    }
                )
            continue
        if standing.target is None or standing.level >= standing.target:
            continue
        for level in dimension.levels:
            if not (standing.level < level.level <= standing.target) or not level.defined:
                continue
            horizon = _horizon(level.level - standing.level)
            for criterion in level.criteria:
                verdict = standing.verdicts.get(criterion.id, "unknown")
                if verdict in _DONE:
                    continue
                if horizon != "later":
                    worked_levels.add(level.level)
                items.append(
                    RoadmapItem(
                        dimension=dimension.id,
                        dimension_name=dimension.name,
                        aspect=dimension.aspect,
                        current_level=standing.level,
                        level=level.level,
                        horizon=horizon,
                        criterion=criterion,
                        verdict=verdict,
                        projects=tuple(helpful_projects(catalog, criterion.projects, level.level)),
                    )
                )
    order = {d.id: i for i, d in enumerate(catalog.dimensions())}
    items.sort(
        key=lambda it: (
            HORIZONS.index(it.horizon),
            it.level,
            it.current_level,
            _EFFORT_ORDER.get(it.criterion.effort, 9),
            order.get(it.dimension, 0),
        )
    )
    return Roadmap(
        items=tuple(items),
        kpis=kpis_for_levels(catalog, worked_levels),
        unassessed=tuple(unassessed),
    )
