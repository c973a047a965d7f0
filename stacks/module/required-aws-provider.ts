import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack } from "cdktf";
import type { TerraformJson } from "../../constructs/terraform-json";
import { AWS_PROVIDER_VERSION } from "../provider";

/**
 * Declares `hashicorp/aws` in `required_providers` and nothing else: a module
 * with its own `provider` block cannot be used with `for_each`, `count` or
 * `providers = {}`; the caller's provider configuration applies instead.
 */
export class RequiredAwsProvider extends AwsProvider {
  public toTerraform(): TerraformJson {
    return requiredOnly(super.toTerraform());
  }

  public toHclTerraform(): TerraformJson {
    return requiredOnly(super.toHclTerraform());
  }
}

function requiredOnly(config: TerraformJson): TerraformJson {
  delete config.provider;
  config.terraform.required_providers.aws.version = AWS_PROVIDER_VERSION;
  return config;
}

/**
 * Makes a stack a Terraform module for existing HCL: `hashicorp/aws` only in
 * `required_providers` (no provider configuration) and no backend block (a
 * module's state lives in its caller's backend).
 */
export function configureAsModule(stack: TerraformStack): void {
  new RequiredAwsProvider(stack, "aws");
  stack.addOverride("terraform.backend", undefined);
}

/** Properties of the module stacks. */
export interface ModuleStackProps {
  /**
   * The deploy-actions handler (its folder, or a zip of it) the "managed"
   * account function runs; the module folder carries it.
   * @default - the handler's folder, zipped by cdktf
   */
  readonly deployActionsCode?: string;
}
