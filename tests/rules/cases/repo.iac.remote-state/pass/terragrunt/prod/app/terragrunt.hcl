include "root" {
  path = find_in_parent_folders("root.hcl")
}
terraform {
  source = "git::https://github.com/acme/modules.git//app?ref=v2.3.0"
}
