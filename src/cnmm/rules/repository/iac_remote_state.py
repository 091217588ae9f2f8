"""repo.iac.remote-state: Terraform root configurations keep state in a remote backend.

Local state lives on one machine: it is lost with it, cannot be locked against concurrent
applies, and forces people to run Terraform by hand instead of from a pipeline.

One finding per root configuration — a Terraform/OpenTofu directory that declares a
backend, a `cloud` block or a provider configuration — outside examples/, tests/,
fixtures/ and testdata/, and one per Terragrunt `remote_state`:

- **Passes**: a `backend "<type>"` other than `local` (s3, gcs, azurerm, remote, http,
  kubernetes, pg, consul, ...; partial configurations completed by `-backend-config` count),
  a `cloud` block (HCP Terraform / Terraform Enterprise), or a Terragrunt `remote_state` (or
  `generate` block writing a backend) anywhere in the scanned directory, which Terragrunt
  applies to the configurations it runs.
- **Fails**: a root configuration with no backend (local state) or `backend "local"`.
  A directory run by a VCS-driven HCP Terraform workspace keeps its state there without any
  backend block: exempt it in cnmm.yaml with that reason.
- **Not applicable**: no Terraform, or only reusable modules and examples (their callers
  choose where state lives).
"""

from __future__ import annotations

from collections.abc import Iterator

from cnmm.facts.repository import RepositoryFacts
from cnmm.findings import Check, Location, Subject, failed, not_applicable, passed
from cnmm.rules.base import rule
from cnmm.rules.repository._common import root_subject


@rule(
    "repo.iac.remote-state",
    title="Terraform uses a remote state backend",
    remediation="""Add a remote backend with locking (`backend "s3"` with a lock table or
    `use_lockfile`, `backend "gcs"`, `backend "azurerm"`, or a `cloud` block) and migrate
    the state with `terraform init -migrate-state`.""",
    needs="repository",
)
def check(facts: RepositoryFacts) -> Iterator[Check]:
    """One finding per root configuration or Terragrunt remote_state."""
    terraform = facts.terraform
    terragrunt = [b for b in terraform.terragrunt_backends if b.remote]
    judged = 0
    for backend in terragrunt:
        judged += 1
        yield passed(
            Subject("TerragruntConfiguration", backend.path),
            f"Terragrunt remote_state with backend {backend.type}",
            Location(backend.path, backend.line),
        )
    for directory in terraform.directories:
        if directory.role != "root":
            continue
        judged += 1
        subject = Subject("TerraformConfiguration", directory.path)
        remote = [b for b in directory.backends if b.remote]
        if remote:
            yield passed(
                subject,
                f"state in backend {remote[0].type}",
                Location(remote[0].path, remote[0].line),
            )
        elif terragrunt:
            yield passed(
                subject,
                f"state configured by Terragrunt ({terragrunt[0].path})",
                Location(terragrunt[0].path, terragrunt[0].line),
            )
        elif directory.backends:
            local = directory.backends[0]
            yield failed(
                subject,
                'backend "local": state stays on one machine',
                Location(local.path, local.line),
            )
        else:
            yield failed(
                subject,
                "no backend: state is kept in a local file",
                Location(directory.files[0]) if directory.files else None,
            )
    if judged == 0:
        reason = (
            "only reusable modules or examples: their callers choose the backend"
            if terraform.present
            else "no Terraform configuration"
        )
        for root in facts.roots:
            yield not_applicable(root_subject(root), reason)
