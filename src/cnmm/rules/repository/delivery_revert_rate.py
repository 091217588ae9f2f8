"""repo.delivery.revert-rate: few changes are reverted.

Reverted commits as a share of commits stand in for DORA's change failure rate: a revert
usually means a change had to be undone. It misses failures fixed forward and counts
reverts made for other reasons, so read it as a trend, not a measure.

A revert is a commit whose subject is git's `Revert "..."`, a Conventional Commits
`revert:`/`revert(scope):`, or a merge of a `revert-...` branch (GitHub's revert button;
counted once with the commit it brings). The share is reverts / non-merge commits reachable
from HEAD in the `--since` window.

- **Passes**: the share <= `thresholds.revert_rate.max_rate` of `cnmm/data/delivery.yaml`
  (0.15 by default: the report's "medium" level).
- **Fails**: a higher share.
- **Not applicable**: fewer commits in the window than `thresholds.revert_rate.min_commits`
  (10).
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
    minimum = int(profile.threshold("revert_rate", "min_commits"))
    rate = history.revert_rate
    if history.commits < minimum or rate is None:
        return not_applicable(
            subject,
            f"{history.commits} commit(s) {window_text(history)}: "
            f"at least {minimum} needed to judge",
        )
    limit = profile.threshold("revert_rate", "max_rate")
    band = band_for(profile, "change_failure", rate)
    message = (
        f"{len(history.reverts)} revert(s) in {history.commits} commits = {rate:.1%} "
        f"(threshold {limit:.0%}; {band} band of {profile.source_label}) {PROXY_NOTE}"
    )
    return passed(subject, message) if rate <= limit else failed(subject, message)


@rule(
    "repo.delivery.revert-rate",
    title="Few changes are reverted",
    remediation="""Catch failing changes before they merge: tests and review on every pull
    request, progressive delivery (canary, feature flags) and post-incident reviews of
    each revert.""",
    needs="repository",
)
def check(facts: RepositoryFacts) -> Iterator[Check]:
    """One finding per scanned directory."""
    yield from delivery_rule(facts, _judge)
