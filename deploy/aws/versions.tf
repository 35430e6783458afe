# Donut-States on AWS: API Gateway HTTP API -> Lambda (custom runtime provided.al2023),
# SNS topic -> SQS queues with dead-letter queues, RDS MySQL in private subnets, SES, alarms.
terraform {
  required_version = ">= 1.5.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.40"
    }
  }
}

provider "aws" {
  region = var.region
  default_tags {
    tags = { Project = "donut-states" }
  }
}
