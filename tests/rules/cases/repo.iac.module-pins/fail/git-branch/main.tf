module "network" {
  source = "git@github.com:acme/terraform-network.git?ref=main"
}
