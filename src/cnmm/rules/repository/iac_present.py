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
from cnmm.findings import Check, Location, failed, passed
from cnmm.rules.base import rule
from cnmm.rules.repository._common import root_subject


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
    for root in facts.roots:
        evidence = [e for e in facts.iac if e.root == root.path]
        if evidence:
            tools = sorted({e.tool for e in evidence})
            counts = ", ".join(
                f"{t} ({sum(1 for e in evidence if e.tool == t)} files)" for t in tools
            )
            yield passed(
                root_subject(root),
                f"infrastructure as code: {counts}",
                Location(evidence[0].path, evidence[0].line),
            )
        else:
            yield failed(
                root_subject(root),
                "no Terraform/OpenTofu, Pulumi, Crossplane or other infrastructure-as-code files",
            )
