# The "NLB + Fargate" module in production shape: clients connect to
# wss://<domain_name>/game on a custom domain (certificate requested from ACM
# and validated in your Route 53 zone, A/AAAA aliases), only clients a Lambda
# authorizer admits may open a connection, and makeMove has limits of its own.
#
# The module is modules/websocket-nlb of this repository, used by a relative
# path that stands for its git:: or registry source (modules/websocket-nlb/README.md).
#
#   terraform init
#   terraform apply -var hosted_zone_id=Z0123456789ABCDEFGHIJ -var domain_name=game.example.com \
#     -var authorizer_function_arn=arn:aws:lambda:us-east-1:123456789012:function:game-authorizer
#
# The authorizer is a Lambda function you already have (this example cannot
# package one: it uses the hashicorp/aws provider only). API Gateway calls it
# once per connection attempt with the connect request's query string; it
# returns a principalId and a policy allowing execute-api:Invoke on the
# methodArn it received, or denies. Browsers cannot set headers when they
# open a WebSocket, so clients pass their token in the query string:
#   new WebSocket("wss://game.example.com/game?token=<token>")

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

variable "domain_name" {
  description = "Host name clients connect to, in the hosted zone (e.g. game.example.com)."
  type        = string
}

variable "hosted_zone_id" {
  description = "Route 53 public hosted zone of domain_name: it gets the certificate's validation record and the alias records."
  type        = string
}

variable "authorizer_function_arn" {
  description = "ARN of the Lambda function that admits or refuses each connection (a REQUEST authorizer reading the token query string parameter)."
  type        = string
}

variable "backend_image" {
  description = "Image of the backend; it must answer POST /connect, /disconnect, /default, /joinGame, /makeMove and GET /healthz on port 3000."
  type        = string
  default     = "public.ecr.aws/docker/library/node:20-alpine"
}

resource "aws_vpc" "main" {
  cidr_block           = "10.30.0.0/16"
  enable_dns_hostnames = true
  tags                 = { Name = "turtle-battleships-edge" }
}

resource "aws_subnet" "private" {
  count             = length(var.availability_zones)
  vpc_id            = aws_vpc.main.id
  availability_zone = var.availability_zones[count.index]
  cidr_block        = cidrsubnet(aws_vpc.main.cidr_block, 4, count.index)
  tags              = { Name = "turtle-battleships-edge-private-${count.index + 1}" }
}

# The NLB carries this group: traffic from the VPC link passes it without an
# inbound rule; its egress must reach the tasks (traffic and health checks).
resource "aws_security_group" "vpc_link_sg" {
  name        = "turtle-battleships-edge-vpc-link"
  description = "NLB behind the API Gateway VPC link"
  vpc_id      = aws_vpc.main.id
}

resource "aws_security_group" "fargate_sg" {
  name        = "turtle-battleships-edge-tasks"
  description = "Fargate tasks: from the VPC link NLB only"
  vpc_id      = aws_vpc.main.id
}

resource "aws_security_group_rule" "allow_vpc_link" {
  type                     = "ingress"
  from_port                = 3000
  to_port                  = 3000
  protocol                 = "tcp"
  security_group_id        = aws_security_group.fargate_sg.id
  source_security_group_id = aws_security_group.vpc_link_sg.id
  description              = "From the VPC link NLB"
}

resource "aws_security_group_rule" "vpc_link_to_tasks" {
  type                     = "egress"
  from_port                = 3000
  to_port                  = 3000
  protocol                 = "tcp"
  security_group_id        = aws_security_group.vpc_link_sg.id
  source_security_group_id = aws_security_group.fargate_sg.id
  description              = "NLB to the tasks: traffic and health checks"
}

module "websocket_api" {
  source = "../../modules/websocket-nlb"

  api_name    = "turtle-battleships-edge"
  stage_name  = "prod"
  auto_deploy = true

  nlb_name                    = "turtle-battleships-edge-nlb"
  nlb_subnet_ids              = aws_subnet.private[*].id
  target_group_name           = "turtle-battleships-edge-tg"
  fargate_port                = 3000
  vpc_id                      = aws_vpc.main.id
  vpc_link_name               = "turtle-battleships-edge"
  vpc_link_subnet_ids         = aws_subnet.private[*].id
  vpc_link_security_group_ids = [aws_security_group.vpc_link_sg.id]

  # Custom domain: wss://<domain_name>/game. No domain_certificate_arn, so the
  # module requests a certificate and validates it with a record in the zone.
  domain_name            = var.domain_name
  domain_hosted_zone_id  = var.hosted_zone_id
  domain_api_mapping_key = "game"

  # Only clients the authorizer admits may connect; the other routes run on
  # the connection it admitted. The backend receives the authorizer's
  # principalId in the x-player-id header of every call.
  connect_authorization_type          = "CUSTOM"
  connect_authorizer_function_arn     = var.authorizer_function_arn
  connect_authorizer_identity_sources = ["route.request.querystring.token"]
  authorizer_context_headers          = { "x-player-id" = "principalId" }

  # Stage-wide limits, and tighter ones for makeMove (a route that gives one
  # limit gets the stage's value for the other).
  throttling_burst_limit = 1000
  throttling_rate_limit  = 500
  custom_routes = {
    joinGame = {}
    makeMove = { throttling_burst_limit = 20, throttling_rate_limit = 10 }
  }

  tags = {
    Project     = "turtle-battleships"
    Environment = "production"
  }
}

resource "aws_ecs_cluster" "main" {
  name = "turtle-battleships-edge"

  # Task and service metrics in CloudWatch (ECS/ContainerInsights), billed as
  # custom metrics; the guardrails ask for them (WSG-ECS-005).
  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

resource "aws_ecs_task_definition" "backend" {
  family                   = "turtle-battleships-edge-backend"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = "256"
  memory                   = "512"
  container_definitions = jsonencode([{
    name      = "backend"
    image     = var.backend_image
    essential = true
    # The backend writes nothing to its file system (WSG-ECS-001); a backend
    # that does needs a volume where it writes.
    readonlyRootFilesystem = true
    portMappings           = [{ containerPort = 3000, hostPort = 3000, protocol = "tcp" }]
  }])
}

resource "aws_ecs_service" "backend" {
  name            = "turtle-battleships-edge-backend"
  cluster         = aws_ecs_cluster.main.id
  task_definition = aws_ecs_task_definition.backend.arn
  desired_count   = 2
  launch_type     = "FARGATE"

  # A deployment whose tasks never turn healthy stops and rolls back (WSG-ECS-006).
  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = aws_subnet.private[*].id
    security_groups  = [aws_security_group.fargate_sg.id]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = module.websocket_api.target_group_arn
    container_name   = "backend"
    container_port   = 3000
  }
}

output "websocket_url" {
  description = "URL clients connect to, with ?token=<token>."
  value       = module.websocket_api.custom_domain_url
}

output "execute_api_url" {
  description = "The API's own URL; it keeps working beside the custom domain."
  value       = module.websocket_api.websocket_stage_invoke_url
}

output "connections_callback_url" {
  description = "Where the backend sends to clients (@connections stays on the execute-api host)."
  value       = module.websocket_api.connections_callback_url
}

output "connect_authorizer_id" {
  value = module.websocket_api.connect_authorizer_id
}

output "custom_domain_target_domain_name" {
  value = module.websocket_api.custom_domain_target_domain_name
}

output "certificate_arn" {
  value = module.websocket_api.custom_domain_certificate_arn
}

output "target_group_arn" {
  value = module.websocket_api.target_group_arn
}
