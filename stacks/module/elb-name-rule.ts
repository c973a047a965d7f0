/** Terraform validation for load balancer and target group names. */
export function nameRule(name: string): { condition: string; errorMessage: string } {
  return {
    condition: `\${can(regex("^[A-Za-z0-9]([A-Za-z0-9-]{0,30}[A-Za-z0-9])?$", var.${name}))}`,
    errorMessage: `${name} must be 1 to 32 letters, digits or hyphens, not starting or ending with a hyphen.`,
  };
}
