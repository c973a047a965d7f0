import { API_GATEWAY_RULES } from "./apigateway";
import { DYNAMODB_RULES } from "./dynamodb";
import { ECR_RULES } from "./ecr";
import { ECS_RULES } from "./ecs";
import { IAM_RULES } from "./iam";
import { LOAD_BALANCER_RULES } from "./loadbalancer";
import { LOG_RULES } from "./logs";
import { SECRET_RULES } from "./secrets";
import { SECURITY_GROUP_RULES } from "./security-groups";
import { GuardrailRule } from "./types";
import { WEBSOCKET_RULES } from "./websocket";

/** Every rule of the pack, in the order docs/guardrails.md lists them. */
export const RULES: readonly GuardrailRule[] = [
  ...API_GATEWAY_RULES,
  ...LOG_RULES,
  ...ECS_RULES,
  ...ECR_RULES,
  ...LOAD_BALANCER_RULES,
  ...IAM_RULES,
  ...SECURITY_GROUP_RULES,
  ...DYNAMODB_RULES,
  ...SECRET_RULES,
  ...WEBSOCKET_RULES,
];

/** A rule by id. */
export function ruleById(id: string): GuardrailRule | undefined {
  return RULES.find((r) => r.id === id);
}
