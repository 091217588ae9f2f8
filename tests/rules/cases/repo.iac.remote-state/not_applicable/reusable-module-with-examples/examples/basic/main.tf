provider "aws" { region = "eu-west-1" }
module "bucket" { source = "../../" }
