import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import type { TerraformJson } from "../../constructs/terraform-json";
import { DEFAULT_SHARED_ROLE_NAME, SHARED_ROLE_PATH } from "../../constructs/api-gateway-cloud-watch-role";
import type { Settings } from "../../stacks/settings";

/**
 * What a stack's apply needs to exist on the emulator beforehand, that a
 * user's account already has: the Lambda function a `$connect` authorizer
 * names (the stack grants API Gateway permission to invoke it) and the
 * Route 53 zone a custom domain's certificate is validated in. `npm run
 * local` makes stand-ins on the emulator, points the stack at them, and
 * says so; they are not the user's (the emulator runs no function: the
 * local gateway runs `--authorizer` instead). And what a stack's own Lambda
 * function would make, which the emulator does not run: the region's API
 * Gateway CloudWatch role, shared by the stacks (constructs/api-gateway-cloud-watch-role.ts),
 * made and set as the account function would on a region without one.
 */
export interface Prerequisites {
  /** A Lambda function standing for the authorizer function; `standsFor` is the ARN the settings give, if any. */
  readonly authorizerFunction?: { readonly name: string; readonly standsFor?: string };
  /** A Route 53 zone for a custom domain name; `standsFor` is the zone id or certificate the settings give, if any. */
  readonly zone?: { readonly domainName: string; readonly zoneName: string; readonly standsFor?: string };
  /** The region's shared API Gateway CloudWatch role (under the shared path), set as the region's. */
  readonly accountRole?: { readonly roleName: string };
}

/** What the prerequisites root made: the function's ARN and the zone's id. */
export interface PrerequisiteOutputs {
  readonly functionArn?: string;
  readonly zoneId?: string;
  readonly accountRoleArn?: string;
}

/** A module example that needs prerequisites, and the variables it then gets. */
export interface ExamplePrerequisites {
  readonly needs: Prerequisites;
  /** Values of the example's required variables, written to `local.auto.tfvars.json`. */
  readonly variables: (out: PrerequisiteOutputs) => Record<string, string>;
}

/**
 * The module examples with prerequisites: the custom-domain example
 * (`examples/websocket-nlb-custom-domain`) asks for a zone and an
 * authorizer function by variable; the domain is `game.example.com`
 * (example.com is reserved for documentation, RFC 2606).
 */
export const EXAMPLE_PREREQUISITES: Readonly<Record<string, ExamplePrerequisites>> = {
  "websocket-nlb-custom-domain": {
    needs: { authorizerFunction: { name: "game-authorizer" }, zone: { domainName: "game.example.com", zoneName: "example.com" } },
    variables: (out) => ({ domain_name: "game.example.com", hosted_zone_id: out.zoneId!, authorizer_function_arn: out.functionArn! }),
  },
};

/** What the chat's settings need on the emulator: the authorizer function of a CUSTOM `$connect`, the zone of a custom domain. */
export function chatPrerequisites(settings: Settings): Prerequisites {
  const auth = settings.chat.api.authorization;
  const domain = settings.chat.domain;
  // With a credentials role API Gateway invokes the function through the role: no permission, nothing to exist.
  const fn = auth.type === "CUSTOM" && auth.functionArn && !auth.credentialsRoleArn ? functionName(auth.functionArn) : undefined;
  // The account function sets the region's role on AWS; without a Lambda runtime the emulator target leaves it out (stacks/target.ts).
  const account = settings.chat.apiGatewayAccount;
  const accountRole = account.manage && !settings.target.lambdaStandInEndpoint ? { roleName: account.roleName ?? DEFAULT_SHARED_ROLE_NAME } : undefined;
  return {
    accountRole,
    authorizerFunction: fn ? { name: fn, standsFor: auth.functionArn! } : undefined,
    zone: domain.name
      ? { domainName: domain.name, zoneName: parentZone(domain.name), standsFor: domain.hostedZoneId ?? domain.certificateArn ?? undefined }
      : undefined,
  };
}

/** The chat's settings pointed at the stand-ins: the function's ARN, and the zone (a certificate is then requested and validated there). */
export function withPrerequisites(settings: Settings, out: PrerequisiteOutputs): Settings {
  const chat = settings.chat;
  return {
    ...settings,
    chat: {
      ...chat,
      api: out.functionArn ? { ...chat.api, authorization: { ...chat.api.authorization, functionArn: out.functionArn } } : chat.api,
      domain: out.zoneId ? { ...chat.domain, hostedZoneId: out.zoneId, certificateArn: null } : chat.domain,
    },
  };
}

/** One line per stand-in, for the console. */
export function describePrerequisites(needs: Prerequisites, out: PrerequisiteOutputs, what: { functionSetting: string; zoneSetting: string }): string[] {
  const lines: string[] = [];
  const fn = needs.authorizerFunction;
  if (fn && out.functionArn)
    lines.push(
      `  Lambda function ${out.functionArn} stands for ${what.functionSetting}${fn.standsFor ? ` ${fn.standsFor}` : ""} (the emulator runs no functions: pass --authorizer to run yours)`,
    );
  const zone = needs.zone;
  if (zone && out.zoneId)
    lines.push(
      `  Route 53 zone ${zone.zoneName} (${out.zoneId}) for ${zone.domainName} stands for ${what.zoneSetting}${zone.standsFor ? ` ${zone.standsFor}` : ""} (the certificate is requested and validated in it)`,
    );
  if (needs.accountRole && out.accountRoleArn)
    lines.push(
      `  API Gateway CloudWatch role ${out.accountRoleArn} set as the region's, as the stack's account function makes or joins it on AWS (the emulator runs no functions)`,
    );
  return lines;
}

/** Whether anything must be made. */
export function hasPrerequisites(needs: Prerequisites): boolean {
  return needs.authorizerFunction !== undefined || needs.zone !== undefined || needs.accountRole !== undefined;
}

/**
 * The Terraform root that makes the stand-ins (`main.tf.json`; the provider
 * comes from an emulator override file beside it) and the function's code
 * archive it references (`authorizer.zip`).
 */
export function prerequisitesRoot(needs: Prerequisites): { mainTf: TerraformJson; zip: Buffer } {
  const resource: TerraformJson = {};
  const output: TerraformJson = {};
  if (needs.zone) {
    resource.aws_route53_zone = { zone: { name: needs.zone.zoneName } };
    output.zone_id = { value: "${aws_route53_zone.zone.zone_id}" };
  }
  if (needs.authorizerFunction) {
    const name = needs.authorizerFunction.name;
    resource.aws_iam_role = {
      authorizer: {
        name: `${name}-local`.slice(0, 64),
        assume_role_policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
      },
    };
    resource.aws_lambda_function = {
      authorizer: {
        function_name: name,
        role: "${aws_iam_role.authorizer.arn}",
        runtime: "nodejs20.x",
        handler: "index.handler",
        filename: "${path.module}/authorizer.zip",
        source_code_hash: '${filebase64sha256("${path.module}/authorizer.zip")}',
      },
    };
    output.function_arn = { value: "${aws_lambda_function.authorizer.arn}" };
  }
  if (needs.accountRole) {
    // What the account function (constructs/deploy-actions/api-gateway-account.js) makes on a region without a role.
    resource.aws_iam_role = {
      ...resource.aws_iam_role,
      account: {
        name: needs.accountRole.roleName,
        path: SHARED_ROLE_PATH,
        assume_role_policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "apigateway.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
      },
    };
    resource.aws_iam_role_policy_attachment = {
      account: { role: "${aws_iam_role.account.name}", policy_arn: "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs" },
    };
    resource.aws_api_gateway_account = {
      account: { cloudwatch_role_arn: "${aws_iam_role.account.arn}", depends_on: ["aws_iam_role_policy_attachment.account"] },
    };
    output.account_role_arn = { value: "${aws_iam_role.account.arn}" };
  }
  const mainTf = {
    terraform: { required_providers: { aws: { source: "hashicorp/aws", version: ">= 5.100.0, < 6.0.0" } } },
    resource,
    output,
  };
  // A stand-in that refuses everyone, should anything ever run it.
  const code = `// Made by npm run local: stands for your authorizer on the emulator, which runs no functions.\nexport const handler = async () => { throw new Error("Unauthorized"); };\n`;
  return { mainTf, zip: zipOne("index.mjs", Buffer.from(code, "utf8")) };
}

/**
 * Writes the prerequisites root into `dir` (with the emulator's provider
 * override and, by `writeAwsConfig`, the profile it names), applies it with `run` and returns what it made.
 */
export async function applyPrerequisites(
  dir: string,
  needs: Prerequisites,
  providerOverride: TerraformJson,
  writeAwsConfig: (dir: string) => void,
  run: (cwd: string, args: string[]) => Promise<unknown>,
  outputs: (cwd: string) => Promise<TerraformJson>,
): Promise<PrerequisiteOutputs> {
  const { mainTf, zip } = prerequisitesRoot(needs);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify(mainTf, null, 2));
  fs.writeFileSync(path.join(dir, "authorizer.zip"), zip);
  fs.writeFileSync(path.join(dir, "emulator_override.tf.json"), JSON.stringify(providerOverride, null, 2));
  writeAwsConfig(dir);
  await run(dir, ["init", "-input=false"]);
  await run(dir, ["apply", "-input=false", "-auto-approve", "-lock=false"]);
  const out = await outputs(dir);
  return { functionArn: out.function_arn?.value, zoneId: out.zone_id?.value, accountRoleArn: out.account_role_arn?.value };
}

/** The function name of a Lambda function ARN (`arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`). */
function functionName(arn: string): string | undefined {
  return /^arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:]+)/.exec(arn)?.[1];
}

/** The zone a name lives in: `chat.example.com` is in `example.com`; a name of two labels is its own zone. */
function parentZone(name: string): string {
  const labels = name.split(".");
  return labels.length > 2 ? labels.slice(1).join(".") : name;
}

/** 00:00, 1 January 1980 as a zip entry's DOS time and date (a fixed date keeps the archive's hash stable). */
const DOS_1980_01_01 = ((1 << 5) | 1) << 16;

/** A zip archive of one stored (uncompressed) file: what Lambda accepts as code. */
function zipOne(name: string, data: Buffer): Buffer {
  const fileName = Buffer.from(name, "utf8");
  const crc = zlib.crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4); // version needed
  local.writeUInt16LE(0, 6); // flags
  local.writeUInt16LE(0, 8); // stored
  local.writeUInt32LE(DOS_1980_01_01, 10); // time, date
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(fileName.length, 26);
  local.writeUInt16LE(0, 28);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4); // version made by
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(0, 8);
  central.writeUInt16LE(0, 10);
  central.writeUInt32LE(DOS_1980_01_01, 12);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(fileName.length, 28);
  central.writeUInt32LE(0, 30); // extra, comment lengths
  central.writeUInt32LE(0, 34); // disk, internal attributes
  central.writeUInt32LE((0o100644 << 16) >>> 0, 38); // external attributes: a regular file
  central.writeUInt32LE(0, 42); // offset of the local header
  const centralOffset = local.length + fileName.length + data.length;
  const centralSize = central.length + fileName.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(centralOffset, 16);
  return Buffer.concat([local, fileName, data, central, fileName, end]);
}
