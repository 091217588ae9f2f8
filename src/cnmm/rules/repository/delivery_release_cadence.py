"""repo.delivery.release-cadence: releases happen at least as often as the threshold.

Release tags stand in for deployments (a proxy for DORA's deployment frequency): frequent
small releases are easier to verify and to roll back.

Counted over the `--since` window (default in the delivery profile, 90 days): tags whose
name carries a version with at least two parts (`v1.4.0`, `2.3`, `api/v0.9.1`,
`chart-1.2.3`), dated by the tagger (annotated tags) or their commit (lightweight tags);
pre-releases (`-rc.1`, `-beta`, ...) and moving major tags (`v1`) are not releases. When a
subdirectory is scanned and some tags are named after it (`charts/foo` -> `foo-1.2.0`), only
those count.

- **Passes**: releases per 30 days >= `thresholds.release_cadence.min_releases_per_30_days`
  of `cnmm/data/delivery.yaml` (1 by default: the lower bound of the report's "medium"
  deployment-frequency level).
- **Fails**: fewer releases. Teams that deploy without tagging should exempt this rule with
  that reason.
- **Not applicable**: no commit and no release in the window (an inactive repository).
- **Not available**: no git history (not a git repository, shallow clone, no commits, git
  not installed): the message says which.
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
    count = len(history.releases)
    if count == 0 and history.commits == 0:
        return not_applicable(subject, f"no commits and no releases {window_text(history)}")
    per_30 = count / history.window_days * 30
    minimum = profile.threshold("release_cadence", "min_releases_per_30_days")
    band = band_for(profile, "release_frequency", count / history.window_days)
    message = (
        f"{count} release(s) {window_text(history)} = {per_30:.2f} per 30 days "
        f"(threshold {minimum:g}; {band} band of {profile.source_label}) {PROXY_NOTE}"
    )
    return passed(subject, message) if per_30 >= minimum else failed(subject, message)


@rule(
    "repo.delivery.release-cadence",
    title="Releases are frequent (release-tag cadence)",
    remediation="""Release smaller changes more often: automate tagging and publishing from
    the main branch (release-please, semantic-release, GoReleaser) so a release costs nothing.""",
    needs="repository",
)
def check(facts: RepositoryFacts) -> Iterator[Check]:
    """One finding per scanned directory."""
    yield from delivery_rule(facts, _judge)
