import { dependable, TerraformLocal, TerraformOutput, TerraformOutputConfig, TerraformVariable, TerraformVariableConfig } from "cdktf";
import { Construct } from "constructs";

/**
 * Terraform variables, outputs and locals whose names are exactly the given
 * names, wherever they are declared: the names HCL users write (`var.x`,
 * `module.m.x`) are a contract. cdktf would otherwise add a hash suffix to
 * anything below the stack.
 */

/**
 * Declares `variable "<name>"`. A `default` of `null` makes the variable
 * optional with a null default (cdktf drops a null default, which would
 * make the variable required) and nullable unless `nullable` says otherwise.
 */
export function variable(scope: Construct, name: string, config: TerraformVariableConfig): TerraformVariable {
  const optional = config.default === null;
  const v = new TerraformVariable(scope, name, { nullable: optional, ...config, default: optional ? undefined : config.default });
  v.overrideLogicalId(name);
  if (optional) v.addOverride("default", null);
  return v;
}

/** Declares `output "<name>"`. */
export function output(scope: Construct, name: string, config: TerraformOutputConfig): TerraformOutput {
  // cdktf 0.21 writes an output's depends_on as "${type.name}", which
  // Terraform rejects ("A single static variable reference is required"):
  // written here as plain references instead.
  const { dependsOn, ...rest } = config;
  const o = new TerraformOutput(scope, name, { ...rest, staticId: true });
  if (dependsOn?.length)
    o.addOverride(
      "depends_on",
      dependsOn.map((d) => dependable(d)),
    );
  return o;
}

/** Declares `local.<name>`. */
export function local(scope: Construct, name: string, expression: unknown): TerraformLocal {
  const l = new TerraformLocal(scope, `local-${name}`, expression);
  l.overrideLogicalId(name);
  return l;
}
