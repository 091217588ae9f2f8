remote_state {
  backend = "gcs"
  config = {
    bucket = "acme-state"
    prefix = "${path_relative_to_include()}"
  }
}
