# The "existing ALB" module, used as in its seed README: a WebSocket API that
# reaches an existing Application Load Balancer privately. The module puts an
# internal NLB (target type alb) in front of the ALB, because WebSocket APIs
# accept only v1 VPC links, which target NLBs.
#
# The module is modules/websocket-alb of this repository, used by a relative
# path that stands for its git:: or registry source (modules/websocket-alb/README.md).
#
#   terraform init && terraform apply

terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 5.100.0, < 6.0.0" }
  }
}

provider "aws" {
  region = var.region
}

variable "region" {
  type    = string
  default = "us-east-1"
}

variable "availability_zones" {
  type    = list(string)
  default = ["us-east-1a", "us-east-1b"]
}

locals {
  tags = { Project = "my-backend" }
}

resource "aws_vpc" "main" {
  cidr_block           = "10.30.0.0/16"
  enable_dns_hostnames = true
  tags                 = { Name = "my-backend" }
}

resource "aws_subnet" "private" {
  count             = length(var.availability_zones)
  vpc_id            = aws_vpc.main.id
  availability_zone = var.availability_zones[count.index]
  cidr_block        = cidrsubnet(aws_vpc.main.cidr_block, 4, count.index)
  tags              = { Name = "my-backend-private-${count.index + 1}" }
}

# Stands in for the README's module "backend" (an ECS Fargate module that
# creates the ALB): an internal ALB with an HTTP listener. The listener given
# to the module must be HTTP, not HTTPS: the module's NLB forwards TCP to it
# unchanged and the API's integrations call http://.
resource "aws_security_group" "alb" {
  name        = "my-backend-alb"
  description = "Internal ALB: HTTP from the VPC link NLB"
  vpc_id      = aws_vpc.main.id
}

resource "aws_security_group" "vpc_link" {
  name        = "my-backend-vpc-link"
  description = "NLB behind the API Gateway VPC link"
  vpc_id      = aws_vpc.main.id
}

resource "aws_vpc_security_group_ingress_rule" "alb_from_vpc_link" {
  security_group_id            = aws_security_group.alb.id
  referenced_security_group_id = aws_security_group.vpc_link.id
  ip_protocol                  = "tcp"
  from_port                    = 80
  to_port                      = 80
  description                  = "HTTP from the VPC link NLB"
}

resource "aws_vpc_security_group_egress_rule" "vpc_link_to_alb" {
  security_group_id            = aws_security_group.vpc_link.id
  referenced_security_group_id = aws_security_group.alb.id
  ip_protocol                  = "tcp"
  from_port                    = 80
  to_port                      = 80
  description                  = "NLB to the ALB: traffic and health checks"
}

resource "aws_lb" "backend" {
  name               = "my-backend-alb"
  internal           = true
  load_balancer_type = "application"
  subnets            = aws_subnet.private[*].id
  security_groups    = [aws_security_group.alb.id]
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.backend.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "fixed-response"
    fixed_response {
      content_type = "text/plain"
      message_body = "healthy"
      status_code  = "200"
    }
  }
}

# WebSocket API Gateway (uses existing ALB)
module "websocket_api" {
  source = "../../modules/websocket-alb"

  api_name                    = "my-websocket-api"
  alb_listener_arn            = aws_lb_listener.http.arn # Use existing ALB
  vpc_link_name               = "my-vpc-link"
  vpc_link_subnet_ids         = aws_subnet.private[*].id
  vpc_link_security_group_ids = [aws_security_group.vpc_link.id]

  # As written the stage writes no logs, so the first apply works on any
  # account. For access and execution logs, declare the region's API Gateway
  # CloudWatch role: "existing" (aws apigateway get-account shows one) or
  # "managed" (this module creates and sets it; one per region).
  #   api_gateway_account_role = "existing"
  # (npm run guardrails accepts the missing access logs through the entry of
  # guardrails-suppressions.json beside this file: delete it once logs are on.)

  tags = local.tags
}

output "websocket_url" {
  value = module.websocket_api.websocket_stage_invoke_url
}

output "websocket_api_id" {
  value = module.websocket_api.websocket_api_id
}

output "vpc_link_id" {
  value = module.websocket_api.vpc_link_id
}
