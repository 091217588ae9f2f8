terraform {
  cloud {
    organization = "acme"
    workspaces { name = "prod" }
  }
}
provider "aws" {}
