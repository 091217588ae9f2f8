"""repo.iac.present: infrastructure is described as code.

- **Passes**: the scanned directory holds Terraform or OpenTofu (`*.tf`, `*.tofu`,
  `*.tf.json`), Terragrunt (`terragrunt.hcl`, or `*.hcl` with `remote_state`/`terraform
  { source }`), Pulumi (`Pulumi.yaml`), Crossplane (Compositions, composite resource
  definitions, packages or managed resources of `*.crossplane.io`/`*.upbound.io` groups),
  AWS CloudFormation/SAM (`AWSTemplateFormatVersion` or `Transform: AWS::...`), AWS CDK
  (`cdk.json`) or Bicep (`*.bicep`).
- **Fails**: none of them. Application repositories often keep their infrastructure
  elsewhere: scan the infrastructure repository as well (`cnmm scan app/ infra/`).
- **Not applicable**: never.
"""

from __future__ import annotations

from collections.abc import Iterator

from cnmm.facts.repository import RepositoryFacts
from cnmm.findings import Check
from cnmm.rules.base import rule
from cnmm.rules.repository._common import tools_rule


@rule(
    "repo.iac.present",
    title="Infrastructure as code present",
    remediation="""Describe the infrastructure the application needs (clusters, databases,
    queues, DNS) with Terraform/OpenTofu, Pulumi or Crossplane, reviewed and applied from
    version control.""",
    needs="repository",
)
def check(facts: RepositoryFacts) -> Iterator[Check]:
    """One finding per scanned directory."""
    yield from tools_rule(
        facts,
        facts.iac,
        "infrastructure as code",
        "no Terraform/OpenTofu, Pulumi, Crossplane or other infrastructure-as-code files",
    )
