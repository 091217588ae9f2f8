provider "registry.terraform.io/hashicorp/google" {
  version     = "5.30.0"
  constraints = "5.30.0"
  hashes = [
    "h1:abc=",
  ]
}
