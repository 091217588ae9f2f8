"""Helpers for the repo.delivery.* rules (no rule here): history per scanned directory."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from cnmm.collect.repository.delivery import DeliveryProfile, load_delivery_profile
from cnmm.facts.repository import DeliveryHistory, RepositoryFacts
from cnmm.findings import Check, not_available
from cnmm.rules.repository._common import root_subject

PROXY_NOTE = "(a proxy read from git, not the DORA measure)"


def delivery_rule(
    facts: RepositoryFacts, judge: Callable[[DeliveryHistory, DeliveryProfile], Check]
) -> Iterator[Check]:
    """One finding per scanned directory: `judge` on its history, or not-available why."""
    profile = load_delivery_profile()
    by_root = {h.root: h for h in facts.delivery}
    for root in facts.roots:
        history = by_root.get(root.path)
        if history is None:
            reason = facts.unavailable.get(f"history:{root.path}", "history not read")
            yield not_available(root_subject(root), f"delivery history: {reason}")
            continue
        yield judge(history, profile)


def window_text(history: DeliveryHistory) -> str:
    """e.g. 'in 90 days'."""
    return f"in {history.window_days:.0f} days"
