resource "random_id" "suffix" { byte_length = 4 }
resource "aws_s3_bucket" "b" { bucket = "acme-${random_id.suffix.hex}" }
