# Cloud resources of the payments service, applied by the platform pipeline.
terraform {
  required_version = ">= 1.6"
  backend "s3" {
    bucket = "acme-terraform-state"
    key    = "payments/terraform.tfstate"
    region = "eu-west-1"
  }
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.60"
    }
  }
}

module "database" {
  source  = "terraform-aws-modules/rds/aws"
  version = "6.10.0"

  identifier     = "payments"
  engine         = "postgres"
  engine_version = "16"
  instance_class = "db.t4g.medium"
}
