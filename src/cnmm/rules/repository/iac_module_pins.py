"""repo.iac.module-pins: Terraform module sources pin a version.

A module referenced without a version follows whatever its source serves next: a `plan`
next week can change infrastructure without any change in this repository.

One finding per `module` block (and per Terragrunt `terraform { source }`) whose source is
not local:

- **Passes**: a registry module (`namespace/name/provider`, also from private registries
  and Terragrunt `tfr://` sources) has a `version` argument; a git or Mercurial source has
  `?ref=` naming a tag (`v1.2.0`) or a commit (`?ref=4f1c2a9`); an archive URL names a
  version.
- **Fails**: a registry module without `version`; a git source without `?ref=` (it follows
  the default branch) or with a ref that is a branch (`main`, `master`, `develop`, or a name
  that looks like neither a version nor a commit).
- **Not applicable**: no remote module call in the scan. Local modules (`./modules/x`) are
  versioned with the repository and produce no finding; nor do module calls under
  examples/, tests/, fixtures/ or testdata/ (documentation and test code).

A version constraint such as `~> 5.0` counts as a pin: it bounds what `terraform init` may
select, and the lock file fixes the rest.
"""

from __future__ import annotations

from collections.abc import Iterator

from cnmm.facts.repository import RepositoryFacts
from cnmm.findings import Check, Location, Subject, failed, not_applicable, passed
from cnmm.rules.base import rule
from cnmm.rules.repository._common import root_subject


@rule(
    "repo.iac.module-pins",
    title="Terraform module sources pin versions",
    remediation="""Give registry modules a `version` (e.g. `version = "~> 5.1"`) and git
    sources a `?ref=` naming a release tag or commit SHA, never a branch.""",
    needs="repository",
)
def check(facts: RepositoryFacts) -> Iterator[Check]:
    """One finding per remote module call."""
    judged = 0
    for module in facts.terraform.modules:
        if module.pinned is None or module.example:
            continue
        judged += 1
        subject = Subject("TerraformModule", f"{module.path}#{module.name}")
        where = Location(module.path, module.line)
        message = f"{module.source_kind} source {module.source}: {module.pin_note}"
        if module.pinned:
            yield passed(subject, message, where)
        else:
            yield failed(subject, message, where)
    if judged == 0:
        for root in facts.roots:
            yield not_applicable(
                root_subject(root), "no registry or git module calls outside examples and tests"
            )
