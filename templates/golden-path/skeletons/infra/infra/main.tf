# Infrastructure of ${{ values.name | oneLine }}. Resource files next to this one are
# rendered by the golden path from resources.yaml.
terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.40"
    }
  }
}

provider "aws" {
  region = var.region
}

variable "region" {
  type    = string
  default = "us-east-1"
}
