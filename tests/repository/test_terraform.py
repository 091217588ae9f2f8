"""HCL reading and Terraform/OpenTofu/Terragrunt facts."""

from __future__ import annotations

import json

import pytest

from cnmm.collect.repository.hcl import parse_hcl, parse_hcl_json
from cnmm.collect.repository.terraform import (
    ParsedFile,
    classify_source,
    judge_module_pin,
    terraform_facts,
)

TRICKY = r"""
# a comment with a { brace
// another } one
/* block comment
   module "commented" { source = "x/y/z" }
*/
locals {
  greeting = "hello ${var.name} {not a block}"
  nested   = "${join(",", [for s in var.list : "${s}-x"])}"
  escaped  = "$${literal} and a \"quote\""
  policy   = <<-EOT
    {
      "Statement": [{ "Effect": "Allow" }]
    }
    module "inside_heredoc" {}
  EOT
  object = { a = 1, "b" : 2,
    c = [1, 2,
      3]
  }
}

module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "~> 5.8" # trailing comment
  tags = {
    Name = "main"
  }
}

variable "x" { default = "single line block" }
"""


def test_tricky_syntax_keeps_the_block_structure() -> None:
    parsed = parse_hcl(TRICKY)
    assert parsed.problems == []
    assert [(b.type, b.labels) for b in parsed.blocks] == [
        ("locals", ()),
        ("module", ("vpc",)),
        ("variable", ("x",)),
    ]
    locals_block, module, variable = parsed.blocks
    assert locals_block.literal("greeting") is None  # templated
    assert locals_block.literal("escaped") == '${literal} and a "quote"'
    assert "inside_heredoc" in (locals_block.literal("policy") or "")
    assert locals_block.attributes["object"].items is not None
    assert set(locals_block.attributes["object"].items) == {"a", "b", "c"}
    assert module.literal("source") == "terraform-aws-modules/vpc/aws"
    assert module.literal("version") == "~> 5.8"
    assert module.line == 23
    assert variable.literal("default") == "single line block"


def test_broken_input_is_reported_not_raised() -> None:
    parsed = parse_hcl('module "a" {\n  source = "x\n}\nresource "r" "n" {\n')
    assert any("unterminated string" in p for p in parsed.problems)
    assert any("not closed" in p for p in parsed.problems)
    assert [b.type for b in parsed.blocks][:1] == ["module"]


def test_json_syntax() -> None:
    text = json.dumps(
        {
            "terraform": {
                "backend": {"s3": {"bucket": "b"}},
                "required_providers": {"aws": {"source": "hashicorp/aws", "version": "~> 5.0"}},
            },
            "module": {"net": {"source": "app.terraform.io/acme/net/aws", "version": "1.2.0"}},
            "resource": {"aws_s3_bucket": {"logs": {"bucket": "x"}}},
        }
    )
    parsed = parse_hcl_json(text)
    facts = terraform_facts([ParsedFile("main.tf.json", ".", parsed)])
    directory = facts.directories[0]
    assert directory.role == "root"
    assert [b.type for b in directory.backends] == ["s3"]
    assert [(p.name, p.version) for p in directory.providers] == [("aws", "~> 5.0")]
    assert [(m.name, m.pinned) for m in facts.modules] == [("net", True)]
    assert parse_hcl_json("{not json").problems


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        ("./modules/x", "local"),
        ("../x", "local"),
        ("terraform-aws-modules/vpc/aws", "registry"),
        ("app.terraform.io/acme/vpc/aws", "registry"),
        ("terraform-aws-modules/iam/aws//modules/iam-role", "registry"),
        ("tfr:///terraform-aws-modules/vpc/aws?version=5.0.0", "registry"),
        ("github.com/acme/mod", "git"),
        ("git::https://example.com/acme/mod.git?ref=v1.0.0", "git"),
        ("git@github.com:acme/mod.git", "git"),
        ("https://example.com/mod.git//sub?ref=v1", "git"),
        ("hg::http://example.com/mod.hg", "mercurial"),
        ("s3::https://s3.amazonaws.com/bucket/vpc-1.2.0.zip", "archive"),
        ("https://example.com/vpc-module.zip", "archive"),
    ],
)
def test_source_kinds(source: str, kind: str) -> None:
    assert classify_source(source) == kind


@pytest.mark.parametrize(
    ("source", "version", "pinned"),
    [
        ("terraform-aws-modules/vpc/aws", "5.8.1", True),
        ("terraform-aws-modules/vpc/aws", None, False),
        ("terraform-aws-modules/vpc/aws", "", False),
        ("tfr:///terraform-aws-modules/vpc/aws?version=5.0.0", None, True),
        ("git::https://example.com/m.git?ref=v1.2.0", None, True),
        ("git::https://example.com/m.git?ref=4f1c2a9", None, True),
        ("git::https://example.com/m.git?ref=terraform-aws-vpc-v2.1", None, True),
        ("git::https://example.com/m.git", None, False),
        ("git::https://example.com/m.git?ref=main", None, False),
        ("git::https://example.com/m.git?ref=feature/new-vpc", None, False),
        ("github.com/acme/mod?ref=master", None, False),
        ("https://example.com/vpc-1.4.0.zip", None, True),
        ("https://example.com/vpc.zip", None, False),
        ("./local", None, None),
    ],
)
def test_module_pins(source: str, version: str | None, pinned: bool | None) -> None:
    assert judge_module_pin(source, version)[2] is pinned


def _facts(files: dict[str, str]):  # type: ignore[no-untyped-def]
    parsed = []
    for path, text in files.items():
        directory = path.rpartition("/")[0] or "."
        terragrunt = path.endswith(".hcl")
        parsed.append(ParsedFile(path, directory, parse_hcl(text), terragrunt, directory))
    return terraform_facts(parsed, [p for p in files if p.endswith(".terraform.lock.hcl")])


def test_providers_required_legacy_and_implied() -> None:
    facts = _facts(
        {
            "infra/versions.tf": "terraform {\n  required_providers {\n"
            '    aws = { source = "hashicorp/aws", version = ">= 5.0" }\n'
            '    random = "~> 3.1"\n    kubernetes = { source = "hashicorp/kubernetes" }\n'
            "  }\n}\n",
            "infra/main.tf": 'provider "google" {\n  version = "4.0.0"\n}\n'
            'resource "null_resource" "x" {}\n'
            'data "terraform_remote_state" "net" {}\n'
            'resource "aws_instance" "w" {\n  provider = aws.west\n}\n',
        }
    )
    [directory] = facts.directories
    versions = {p.name: (p.version, p.declared) for p in directory.providers}
    assert versions == {
        "aws": (">= 5.0", "required_providers"),
        "random": ("~> 3.1", "required_providers"),
        "kubernetes": (None, "required_providers"),
        "google": ("4.0.0", "provider-block"),
        "null": (None, "used"),
    }
    assert directory.role == "root"  # a provider configuration makes it deployable


def test_roles_and_examples() -> None:
    facts = _facts(
        {
            "main.tf": 'resource "aws_s3_bucket" "b" {}\n',
            "examples/basic/main.tf": (
                'provider "aws" {}\nmodule "m" {\n  source = "acme/b/aws"\n}\n'
            ),
            "live/prod/main.tf": 'terraform {\n  backend "gcs" {}\n}\n',
        }
    )
    roles = {d.path: d.role for d in facts.directories}
    assert roles == {".": "module", "examples/basic": "example", "live/prod": "root"}
    assert [m.example for m in facts.modules] == [True]


def test_terragrunt_sources_and_remote_state() -> None:
    facts = _facts(
        {
            "root.hcl": 'remote_state {\n  backend = "s3"\n  config = { bucket = "b" }\n}\n',
            "prod/app/terragrunt.hcl": 'terraform {\n  source = "${local.base}?ref=v0.8.0"\n}\n',
            "dev/app/terragrunt.hcl": 'terraform {\n  source = "git::https://x/m.git//app"\n}\n'
            'generate "backend" {\n  path = "backend.tf"\n'
            '  contents = <<EOF\nterraform {\n  backend "azurerm" {}\n}\nEOF\n}\n',
        }
    )
    assert sorted((b.type, b.path) for b in facts.terragrunt_backends) == [
        ("azurerm", "dev/app/terragrunt.hcl"),
        ("s3", "root.hcl"),
    ]
    pins = {m.path: m.pinned for m in facts.modules}
    assert pins == {"prod/app/terragrunt.hcl": True, "dev/app/terragrunt.hcl": False}
