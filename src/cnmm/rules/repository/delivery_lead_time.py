"""repo.delivery.lead-time: changes reach a release quickly.

The time from a commit to the first release tag that contains it stands in for DORA's lead
time for changes (the real measure ends in production, which git cannot see).

For every non-merge commit of the `--since` window (touching the scanned subdirectory,
when one is scanned) that a release tag contains: release time minus commit time, where
tags are visited oldest first and each claims the commits no earlier tag contains. Commits
not yet released are counted apart.

- **Passes**: the median lead time <= `thresholds.lead_time.max_median_days` of
  `cnmm/data/delivery.yaml` (31 days by default: the upper bound of the report's "medium"
  level).
- **Fails**: a longer median.
- **Not applicable**: fewer released commits in the window than
  `thresholds.lead_time.min_released_commits` (5): too few to say.
- **Not available**: no git history (the message says why).
"""

from __future__ import annotations

from collections.abc import Iterator

from cnmm.collect.repository.delivery import DeliveryProfile, band_for
from cnmm.facts.repository import DeliveryHistory, RepositoryFacts
from cnmm.findings import Check, failed, not_applicable, passed
from cnmm.rules.base import rule
from cnmm.rules.repository._common import root_subject
from cnmm.rules.repository._delivery import PROXY_NOTE, delivery_rule, window_text


def _judge(history: DeliveryHistory, profile: DeliveryProfile) -> Check:
    subject = root_subject(history.root)
    released = len(history.lead_times)
    minimum = int(profile.threshold("lead_time", "min_released_commits"))
    median = history.lead_time_median
    if released < minimum or median is None:
        return not_applicable(
            subject,
            f"{released} released commit(s) {window_text(history)}: "
            f"at least {minimum} needed to judge lead time",
        )
    days = median / 86400
    p90 = (history.lead_time_p90 or 0) / 86400
    limit = profile.threshold("lead_time", "max_median_days")
    band = band_for(profile, "lead_time", days)
    message = (
        f"median commit-to-release {days:.1f} days, p90 {p90:.1f} days over "
        f"{released} released commits (threshold {limit:g} days; {band} band of "
        f"{profile.source_label}) {PROXY_NOTE}"
    )
    return passed(subject, message) if days <= limit else failed(subject, message)


@rule(
    "repo.delivery.lead-time",
    title="Commit-to-release lead time is short",
    remediation="""Shorten the path from merge to release: release from the main branch on
    every merge or on a short schedule, and remove manual release steps.""",
    needs="repository",
)
def check(facts: RepositoryFacts) -> Iterator[Check]:
    """One finding per scanned directory."""
    yield from delivery_rule(facts, _judge)
