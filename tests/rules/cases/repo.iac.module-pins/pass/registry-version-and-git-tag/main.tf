module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "~> 5.8"
  name    = "main"
}

module "dns" {
  source = "git::https://github.com/acme/terraform-dns.git//modules/zone?ref=v1.4.2"
}

module "local" {
  source = "./modules/local"
}
