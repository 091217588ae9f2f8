"""The repository part of the scan inventory (pure): facts -> JSON-ready dict.

Keys (documented in docs/repository.md): ci, dockerfiles, terraform, iac, policy_as_code,
policy_files, dependency_updates, backstage_catalog, practices, delivery.
Every fact carries the paths it was read from.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from cnmm.collect.repository.delivery import band_for, load_delivery_profile
from cnmm.facts.repository import (
    PRACTICES,
    DeliveryHistory,
    Dockerfile,
    RepositoryFacts,
    TerraformFacts,
)

# Practice names as inventory keys.
PRACTICE_KEYS = {p: p.replace("-", "_") for p in PRACTICES}
DEPENDENCY_BOTS = ("renovate", "dependabot")  # preference when both are configured


def repository_inventory(facts: RepositoryFacts) -> dict[str, Any]:
    """Inventory keys for the repository evidence of one scan."""
    updates = _paths_by_tool(p for p in facts.practices if p.practice == "dependency-updates")
    return {
        "ci": _ci(facts),
        "dockerfiles": [dockerfile_entry(d) for d in facts.dockerfiles],
        "terraform": terraform_entry(facts.terraform),
        "iac": {
            "tools": sorted({e.tool for e in facts.iac}),
            "paths": _paths_by_tool(facts.iac),
        },
        "policy_as_code": sorted({p.tool for p in facts.policy_files}),
        "policy_files": [
            {"path": p.path, "tool": p.tool, "kind": p.kind, "line": p.line, "test": p.test}
            for p in facts.policy_files
        ],
        "dependency_updates": next((bot for bot in DEPENDENCY_BOTS if bot in updates), None),
        "backstage_catalog": sorted(
            {p.path for p in facts.practices if p.practice == "service-catalog"}
        ),
        "practices": {
            PRACTICE_KEYS[name]: sorted({p.path for p in facts.practices if p.practice == name})
            for name in PRACTICES
        },
        "delivery": delivery_entry(facts),
    }


def _paths_by_tool(items: Iterable[Any]) -> dict[str, list[str]]:
    found: dict[str, set[str]] = {}
    for item in items:
        found.setdefault(item.tool, set()).add(item.path)
    return {tool: sorted(paths) for tool, paths in sorted(found.items())}


def _ci(facts: RepositoryFacts) -> dict[str, Any]:
    from cnmm.collect.ci import ci_inventory

    return ci_inventory(facts.pipelines)


def dockerfile_entry(dockerfile: Dockerfile) -> dict[str, Any]:
    """One Dockerfile's inventory entry."""
    final = dockerfile.final_stage
    external = dockerfile.external_stages
    return {
        "path": dockerfile.path,
        "stages": len(dockerfile.stages),
        "multi_stage": len(dockerfile.stages) > 1,
        "base_images": [
            {
                "image": s.image.text if s.image else s.base,
                "line": s.line,
                "kind": s.kind,
                "digest": bool(s.image and s.image.digest),
            }
            for s in dockerfile.stages
            if s.kind != "stage"
        ],
        "base_pinned_by_digest": dockerfile.base_pinned_by_digest,
        "latest_or_untagged": [
            s.image.text for s in external if s.image is not None and s.image.latest_or_untagged
        ],
        "final_user": dockerfile.final_user,
        "final_user_non_root": dockerfile.final_user_non_root,
        "final_user_line": dockerfile.final_user_line,
        "final_user_note": dockerfile.final_user_note,
        "healthcheck": dockerfile.final_healthcheck == "cmd",
        "final_stage_line": final.line if final else None,
        "problems": list(dockerfile.problems),
    }


def terraform_entry(terraform: TerraformFacts) -> dict[str, Any]:
    """Terraform/OpenTofu presence, module and provider pinning, state backends."""
    modules = [m for m in terraform.modules if m.pinned is not None and not m.example]
    providers = [(d, p) for d in terraform.directories if d.role != "example" for p in d.providers]
    backends = [b for d in terraform.directories for b in d.backends]
    backends += list(terraform.terragrunt_backends)
    roots = [d for d in terraform.directories if d.role == "root"]
    terragrunt_remote = any(b.remote for b in terraform.terragrunt_backends)
    without_remote = [
        d.path for d in roots if not any(b.remote for b in d.backends) and not terragrunt_remote
    ]
    return {
        "present": terraform.present,
        "paths": list(terraform.files),
        "directories": [{"path": d.path, "role": d.role} for d in terraform.directories],
        "modules": {
            "total": len(modules),
            "pinned": sum(1 for m in modules if m.pinned),
            "unpinned": [
                {
                    "path": m.path,
                    "line": m.line,
                    "name": m.name,
                    "source": m.source,
                    "why": m.pin_note,
                }
                for m in modules
                if not m.pinned
            ],
        },
        "providers": {
            "total": len(providers),
            "pinned": sum(1 for d, p in providers if p.version or d.lock_file),
            "unpinned": [
                {"directory": d.path, "name": p.name, "path": p.path, "line": p.line}
                for d, p in providers
                if not (p.version or d.lock_file)
            ],
        },
        "backends": [
            {"type": b.type, "path": b.path, "line": b.line, "via": b.via} for b in backends
        ],
        # True when every root configuration keeps remote state (None: no root configuration).
        "remote_state": (
            None if not roots and not terraform.terragrunt_backends else not without_remote
        ),
        "roots_without_remote_state": without_remote,
    }


def _iso(when: int) -> str:
    return datetime.fromtimestamp(when, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _days(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 86400, 2)


def history_entry(history: DeliveryHistory) -> dict[str, Any]:
    """The delivery figures of one directory, with their bands."""
    profile = load_delivery_profile()
    releases = sorted(history.releases, key=lambda r: r.time)
    per_day = len(history.releases) / history.window_days
    median = history.lead_time_median
    return {
        "root": history.root,
        "git_root": history.git_root,
        "branch": history.branch,
        "pathspec": history.pathspec,
        "window": {
            "since": _iso(history.since),
            "until": _iso(history.until),
            "days": round(history.window_days, 1),
        },
        "commits": history.commits,
        "commits_per_week": round(history.commits_per_week, 2),
        "merges": history.merges,
        "merges_per_week": (
            None if history.merges_per_week is None else round(history.merges_per_week, 2)
        ),
        "authors": history.authors,
        "releases": len(history.releases),
        "releases_per_week": round(history.releases_per_week, 3),
        "pre_releases": history.pre_releases,
        "release_tags": [r.tag for r in releases][-20:],
        "latest_release": (
            {"tag": releases[-1].tag, "date": _iso(releases[-1].time)} if releases else None
        ),
        "median_days_between_releases": (
            None
            if history.median_days_between_releases is None
            else round(history.median_days_between_releases, 2)
        ),
        "lead_time": {
            "median_days": _days(median),
            "p90_days": _days(history.lead_time_p90),
            "released_commits": len(history.lead_times),
            "unreleased_commits": history.unreleased,
        },
        "reverts": len(history.reverts),
        "revert_rate": None if history.revert_rate is None else round(history.revert_rate, 4),
        "bands": {
            "release_frequency": band_for(profile, "release_frequency", per_day),
            "lead_time": band_for(profile, "lead_time", None if median is None else median / 86400),
            "change_failure": band_for(profile, "change_failure", history.revert_rate),
        },
        "notes": list(history.notes),
    }


def delivery_entry(facts: RepositoryFacts) -> dict[str, Any]:
    """Delivery history per scanned directory, labelled as proxies with the bands' source."""
    profile = load_delivery_profile()
    return {
        "proxies": dict(profile.proxies),
        "bands_source": {
            "name": profile.source.get("name"),
            "publisher": profile.source.get("publisher"),
            "year": profile.source.get("year"),
        },
        "repositories": [history_entry(h) for h in facts.delivery],
        "unavailable": {
            key.removeprefix("history:"): reason
            for key, reason in facts.unavailable.items()
            if key.startswith("history:")
        },
    }
