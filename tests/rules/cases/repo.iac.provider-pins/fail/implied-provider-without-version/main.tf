terraform {
  required_providers {
    aws = {
      source = "hashicorp/aws"
    }
  }
}
resource "aws_sqs_queue" "q" { name = "jobs" }
resource "null_resource" "hook" {}
