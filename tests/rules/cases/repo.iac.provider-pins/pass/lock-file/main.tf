provider "google" {
  project = "acme"
}
resource "google_storage_bucket" "b" {
  name     = "acme"
  location = "EU"
}
