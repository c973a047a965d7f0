import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { LambdaInvocation } from "@cdktf/provider-aws/lib/lambda-invocation";
import { Fn, ITerraformDependable, TerraformStack, Token } from "cdktf";
import { Construct } from "constructs";
import { DeployActions } from "./deploy-actions";
import { IAM_ROLE_NAME, invalid } from "./rules";

/** The IAM path of the CloudWatch roles the stacks share: a role there is one of theirs. */
export const SHARED_ROLE_PATH = "/websocket-gateway/";

/** The shared role's name by default: one role serves every stack of the account. */
export const DEFAULT_SHARED_ROLE_NAME = "apigateway-cloudwatch-logs";

/**
 * Description of the role each stack created for itself before the roles
 * were shared (release 2.0.0): how the account action recognises a stack's
 * own earlier role, takes over from it and deletes it.
 */
export const PREVIOUS_ROLE_DESCRIPTION = "Lets API Gateway write access and execution logs to CloudWatch Logs (account-level setting)";

/** Properties of {@link ApiGatewayCloudWatchRole}. */
export interface ApiGatewayCloudWatchRoleProps {
  /** The function that manages the setting (its role gets what the action needs). */
  readonly deployActions: DeployActions;
  /**
   * Who relies on the setting, unique in the region: the stack's API id with
   * its name, for example. Tagged on the shared role while the stack exists.
   */
  readonly user: string;
  /**
   * Name of the shared role created (under {@link SHARED_ROLE_PATH}) when the
   * region has none, at most 64 characters. A region whose setting names a
   * shared role keeps it, whatever this says; a stack that changes the name
   * of the role it set moves the region to the new one.
   * @default "apigateway-cloudwatch-logs"
   */
  readonly roleName?: string;
  /**
   * Manages the setting. May be a Terraform expression (a module variable):
   * the invocation then gets `count = enabled ? 1 : 0`.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Replaces a role the region's setting names that none of these stacks
   * created; otherwise the apply stops there, saying `keepHint`.
   * @default false
   */
  readonly replaceExisting?: boolean;
  /**
   * What the user does to keep another role the region has, as the stop
   * message says it ("set chat.apiGatewayAccount.manage to false").
   * @default "leave the setting alone"
   */
  readonly keepHint?: string;
  /**
   * What the user does to replace it ("set chat.apiGatewayAccount.replaceExisting to true").
   * @default - none offered
   */
  readonly replaceHint?: string;
  /**
   * Names of the roles this stack created for itself before the roles were
   * shared (at the root path, with {@link PREVIOUS_ROLE_DESCRIPTION}): taken
   * over from when the setting names one, and deleted.
   * @default - none
   */
  readonly previousRoleNames?: string[];
  /**
   * Resources the invocation waits for (e.g. the API whose id is in `user`).
   * @default - none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * The account-level setting API Gateway needs before any REST or WebSocket
 * stage may write access or execution logs: an IAM role trusted by
 * `apigateway.amazonaws.com` with the AWS managed policy
 * `AmazonAPIGatewayPushToCloudWatchLogs`, set as the region's CloudWatch role.
 * Without it a stage with logging fails with "CloudWatch Logs role ARN must be
 * set in account settings to enable logging" (aws/aws-cdk#33977).
 *
 * There is one such setting per account and region, so several stacks
 * (a dev and a prod chat, a module in "managed" mode beside them) share it: an
 * `aws_lambda_invocation` (id `Resource`, lifecycle_scope "CRUD", so it runs on
 * create, update and destroy) of the deploy action `api-gateway-account`
 * creates a shared role under {@link SHARED_ROLE_PATH} when the region has
 * none, sets it, and tags the stack on the role the region uses; destroy
 * untags it, and only the region's last stack resets the setting (and deletes
 * the role once no region uses it). A role the stacks did not create stops the
 * apply unless `replaceExisting`. The stack's own earlier roles
 * (`previousRoleNames`) are taken over and deleted.
 *
 * Stages that log depend on {@link resource}.
 */
export class ApiGatewayCloudWatchRole extends Construct {
  /** The invocation that manages the setting; stages that log should depend on it. */
  public readonly resource: LambdaInvocation;
  /** ARN of the role the region's setting names once applied (null in Terraform when `enabled` evaluates to false). */
  public readonly roleArn: string;
  /** Name of the role created when the region has none. */
  public readonly roleName: string;

  constructor(scope: Construct, id: string, props: ApiGatewayCloudWatchRoleProps) {
    super(scope, id);
    this.roleName = props.roleName ?? DEFAULT_SHARED_ROLE_NAME;
    IAM_ROLE_NAME.check("ApiGatewayCloudWatchRole.roleName", this.roleName);
    for (const [key, text] of Object.entries({ keepHint: props.keepHint, replaceHint: props.replaceHint })) {
      // The texts go into a jsonencode() expression as they are, where a double quote ends the string.
      if (text !== undefined && text.includes('"')) throw invalid(`ApiGatewayCloudWatchRole.${key}`, "a text without double quotes", text, "use single quotes");
    }
    for (const name of props.previousRoleNames ?? []) IAM_ROLE_NAME.check("ApiGatewayCloudWatchRole.previousRoleNames", name);
    const partition = new DataAwsPartition(this, "Partition").partition;
    const region = new DataAwsRegion(this, "Region").name;
    const actions = props.deployActions;
    // The account, read from an ARN of the stack (no AWS call at plan time).
    const account = Fn.element(Fn.split(":", actions.roleArn), 4);
    const policyArn = `arn:${partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs`;
    const sharedRoles = `arn:${partition}:iam::${account}:role${SHARED_ROLE_PATH}*`;
    const onlyThePolicy = [{ test: "ArnEquals", variable: "iam:PolicyARN", values: [policyArn] }];

    actions.allow({
      sid: "ApiGatewayAccountSetting",
      effect: "Allow",
      actions: ["apigateway:GET", "apigateway:PATCH"],
      // The account settings of this region (API Gateway's resource ARNs have no account).
      resources: [`arn:${partition}:apigateway:${region}::/account`],
    });
    actions.allow({
      sid: "ListSharedRoles",
      effect: "Allow",
      actions: ["iam:ListRoles"],
      // AWS requires "*": ListRoles has no resource-level permissions (the action filters by PathPrefix itself).
      resources: ["*"],
    });
    actions.allow({
      sid: "SharedRoles",
      effect: "Allow",
      actions: ["iam:CreateRole", "iam:GetRole", "iam:DeleteRole", "iam:TagRole", "iam:UntagRole", "iam:ListRoleTags"],
      resources: [sharedRoles],
    });
    actions.allow({
      sid: "SharedRolesPolicy",
      effect: "Allow",
      actions: ["iam:AttachRolePolicy", "iam:DetachRolePolicy"],
      resources: [sharedRoles],
      condition: onlyThePolicy,
    });
    actions.allow({
      sid: "PassSharedRolesToApiGateway",
      effect: "Allow",
      actions: ["iam:PassRole"],
      resources: [sharedRoles],
      condition: [{ test: "StringEquals", variable: "iam:PassedToService", values: ["apigateway.amazonaws.com"] }],
    });
    const previous = props.previousRoleNames ?? [];
    if (previous.length > 0) {
      const roles = previous.map((name) => `arn:${partition}:iam::${account}:role/${name}`);
      actions.allow({ sid: "PreviousRoles", effect: "Allow", actions: ["iam:GetRole", "iam:DeleteRole"], resources: roles });
      actions.allow({ sid: "PreviousRolesPolicy", effect: "Allow", actions: ["iam:DetachRolePolicy"], resources: roles, condition: onlyThePolicy });
    }

    this.resource = actions.invoke(
      "Resource",
      {
        action: "api-gateway-account",
        roleName: this.roleName,
        rolePath: SHARED_ROLE_PATH,
        policyArn,
        user: props.user,
        replaceExisting: props.replaceExisting ?? false,
        keepHint: props.keepHint ?? "leave the setting alone",
        ...(props.replaceHint ? { replaceHint: props.replaceHint } : {}),
        previousRoleNames: previous,
        previousRoleDescription: PREVIOUS_ROLE_DESCRIPTION,
      },
      props.dependsOn ?? [],
      { lifecycleScope: "CRUD", scope: this, enabled: props.enabled },
    );
    // With count, the one instance's result, or null (only the chosen branch of a conditional is evaluated).
    this.roleArn =
      this.resource.count === undefined
        ? Fn.lookup(Fn.jsondecode(this.resource.result), "roleArn")
        : (Fn.conditional(
            props.enabled,
            Fn.lookup(Fn.jsondecode(Fn.one(Fn.lookupNested(this.resource.fqn, ["*", "result"]))), "roleArn"),
            Token.nullValue(),
          ) as unknown as string);
  }
}

/**
 * Forgets (Terraform `removed` blocks, destroy = false) the resources a stack
 * made for the setting before the roles were shared: destroying them would
 * reset the region's setting (reset_on_delete) and delete the role other
 * APIs log through. The account action takes over from the forgotten role and
 * deletes it. Needs Terraform 1.7 or later.
 */
export function forgetPreviousAccountResources(stack: TerraformStack, addresses: string[]): void {
  stack.addOverride(
    "removed",
    addresses.map((from) => ({ from, lifecycle: { destroy: false } })),
  );
}
