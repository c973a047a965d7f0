/**
 * Version constraint written for hashicorp/aws. The bindings
 * (`@cdktf/provider-aws` 20.1.0) are generated for 5.100.0, the version the
 * stacks are tested with; 6.x changed resources these stacks use.
 */
export const AWS_PROVIDER_VERSION = ">= 5.100.0, < 6.0.0";
