"""repo.iac.provider-pins: Terraform providers have version constraints.

Without a constraint, `terraform init` installs the newest provider release, which may
change or remove behaviour the configuration relies on.

One finding per Terraform/OpenTofu directory (module) that uses providers, outside
examples/, tests/, fixtures/ and testdata/:

- **Passes**: every provider the directory uses — declared in `required_providers`,
  configured in a `provider` block, or implied by its resources and data sources
  (`aws_s3_bucket` -> aws) — has a version constraint in `terraform { required_providers }`
  (either `name = { source, version }` or the older `name = "~> 3.0"`) or, in old
  configurations, a `version` argument in its `provider` block. A committed
  `.terraform.lock.hcl` in the directory also pins them.
- **Fails**: a provider without any version constraint and no lock file.
- **Not applicable**: no Terraform directory that uses a provider.

The built-in `terraform` provider (`terraform_data`, `terraform_remote_state`) needs no pin.
"""

from __future__ import annotations

from collections.abc import Iterator

from cnmm.facts.repository import RepositoryFacts
from cnmm.findings import Check, Location, Subject, failed, not_applicable, passed
from cnmm.rules.base import rule
from cnmm.rules.repository._common import root_subject, shown


@rule(
    "repo.iac.provider-pins",
    title="Terraform providers pin versions",
    remediation="""Declare every provider in `terraform { required_providers { aws = { source
    = "hashicorp/aws", version = "~> 5.40" } } }` and commit `.terraform.lock.hcl`.""",
    needs="repository",
)
def check(facts: RepositoryFacts) -> Iterator[Check]:
    """One finding per Terraform directory that uses providers."""
    judged = 0
    for directory in facts.terraform.directories:
        if directory.role == "example" or not directory.providers:
            continue
        judged += 1
        subject = Subject("TerraformConfiguration", directory.path)
        loose = [p for p in directory.providers if not p.version]
        if directory.lock_file:
            yield passed(
                subject, f"providers locked by {directory.lock_file}", Location(directory.lock_file)
            )
        elif loose:
            names = [f"{p.name} ({p.path}:{p.line})" for p in loose]
            yield failed(
                subject,
                f"provider without version constraint: {shown(names)}",
                Location(loose[0].path, loose[0].line),
            )
        else:
            pins = [f"{p.name} {p.version}" for p in directory.providers]
            first = directory.providers[0]
            yield passed(
                subject, f"providers pinned: {shown(pins)}", Location(first.path, first.line)
            )
    if judged == 0:
        for root in facts.roots:
            yield not_applicable(
                root_subject(root),
                "no Terraform directory using providers outside examples and tests",
            )
