/**
 * Every validation rule, defined once and used by the constructs, the
 * settings schema and the Terraform variables of the modules (see rule.ts).
 */
export * from "./rule";
export * from "./shapes";
export * from "./secrets";
export * from "./api-gateway";
export * from "./load-balancing";
export * from "./logs";
export * from "./compute";
export * from "./network";
export * from "./sources";
export * from "./aws";
export * from "./project";
export * from "./observability";
