# The module has no provider or backend block of its own, so it works with
# for_each, count and providers = {}: here one API per environment, in
# another region through an aliased provider.

terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 5.100.0, < 6.0.0" }
  }
}

provider "aws" {
  alias  = "eu"
  region = "eu-central-1"
}

variable "environments" {
  description = "Per environment: the VPC, subnets and VPC link security group of its Fargate service."
  type = map(object({
    vpc_id             = string
    subnet_ids         = list(string)
    security_group_ids = list(string)
  }))
  default = {}
}

module "websocket_api" {
  source   = "../../modules/websocket-nlb"
  for_each = var.environments
  providers = {
    aws = aws.eu
  }

  api_name                    = "game-${each.key}"
  nlb_name                    = "game-${each.key}-nlb"
  nlb_subnet_ids              = each.value.subnet_ids
  target_group_name           = "game-${each.key}-tg"
  vpc_id                      = each.value.vpc_id
  vpc_link_name               = "game-${each.key}"
  vpc_link_subnet_ids         = each.value.subnet_ids
  vpc_link_security_group_ids = each.value.security_group_ids
  custom_routes = {
    move = { route_response_selection_expression = "$default" }
  }
}

output "websocket_urls" {
  value = { for k, m in module.websocket_api : k => m.websocket_stage_invoke_url }
}
