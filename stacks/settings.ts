import { GITHUB_REPOSITORY_URL, LOG_RETENTION_DAYS } from "../constructs/validation";
import { FARGATE_SIZES } from "../constructs/fargate-service";

/**
 * Every setting of every stack: the types, the documentation and the rules.
 * Defaults live in cdktf.json (`context.settings`); a config file and a few
 * environment variables override them (see config.ts).
 */
export interface Settings {
  region: string;
  environment: string;
  tags: Record<string, string>;
  target: { kind: "aws" | "emulator"; emulatorEndpoint: string };
  state: {
    backend: "local" | "s3" | "cloud";
    s3: { bucket: string | null; keyPrefix: string; region: string | null; kmsKeyArn: string | null; useLockfile: boolean };
    cloud: { hostname: string; organization: string | null; workspace: string | null; workspaceTags: string[]; project: string | null };
  };
  chat: {
    name: string;
    deletionProtection: boolean | null;
    network: {
      vpcId: string | null;
      privateSubnetIds: string[];
      cidr: string;
      availabilityZones: string[];
      azCount: number;
      natGateways: "single" | "one-per-az";
      interfaceEndpoints: boolean;
    };
    table: { ttlAttribute: string; pointInTimeRecovery: boolean; kmsKeyArn: string | null };
    backend: {
      image: {
        uri: string | null;
        repositoryUrl: string;
        gitRef: string;
        tag: string;
        dockerfile: string;
        githubTokenSecretArn: string | null;
      };
      port: number;
      cpu: number;
      memory: number;
      architecture: "X86_64" | "ARM64";
      desiredCount: number;
      autoScaling: { enabled: boolean; minCapacity: number; maxCapacity: number; targetCpuPercent: number };
      tracing: "xray-daemon" | "adot" | "off";
      tracingImage: string | null;
      logRetentionDays: number;
      readonlyRootFilesystem: boolean;
      healthCheckPath: string;
      deregistrationDelaySeconds: number;
    };
    api: {
      name: string | null;
      stageName: string;
      autoDeploy: boolean;
      throttle: { burstLimit: number; rateLimit: number };
      loggingLevel: "OFF" | "ERROR" | "INFO";
      dataTraceEnabled: boolean;
      detailedMetricsEnabled: boolean;
      logRetentionDays: number;
    };
    apiGatewayAccount: { manage: boolean; roleName: string | null };
    frontend: {
      enabled: boolean;
      repositoryUrl: string;
      branch: string;
      tokenSecretArn: string | null;
      startBuild: boolean;
    };
    alarms: { enabled: boolean; snsTopicArn: string | null; email: string | null };
  };
}

/** A failed rule: what the value must be and how to fix it. */
export interface Rule {
  readonly rule: string;
  readonly fix: string;
}

export type FieldType = "string" | "number" | "integer" | "boolean" | "string[]" | "map";

/** One setting. */
export interface Field {
  readonly key: string;
  readonly type: FieldType;
  readonly nullable?: boolean;
  readonly doc: string;
  /** Environment variable that overrides it. */
  readonly env?: string;
  readonly oneOf?: readonly string[];
  /** Checks the value (not null, right type); returns the failed rule, if any. */
  readonly check?: (value: any) => Rule | undefined;
}

const pattern = (re: RegExp, rule: string, fix: string) => (v: string) => (re.test(v) ? undefined : { rule, fix });
const range = (min: number, max: number, fix: string) => (v: number) =>
  v >= min && v <= max ? undefined : { rule: `from ${min} to ${max}`, fix };
const eachItem = (check: (v: string) => Rule | undefined) => (list: string[]) => {
  for (const item of list) {
    const r = check(item);
    if (r) return { rule: `a list whose every item is ${r.rule}`, fix: r.fix };
  }
  return undefined;
};
const all =
  (...checks: Array<(v: any) => Rule | undefined>) =>
  (v: any) => {
    for (const c of checks) {
      const r = c(v);
      if (r) return r;
    }
    return undefined;
  };

export const REGION = pattern(/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/, "an AWS region code", 'use for example "us-east-1" or "eu-central-1"');
const GITHUB_REPOSITORY = pattern(
  GITHUB_REPOSITORY_URL,
  "a GitHub repository URL (https://github.com/<owner>/<repo>)",
  "give the https URL of the repository",
);
const GIT_REF = pattern(/^(?!\/)(?!.*\/$)(?!.*\.\.)(?!.*@\{)[A-Za-z0-9._/-]{1,255}$/, "a Git branch, tag or commit", 'use for example "main" or a commit SHA');
const arn = (service: string, resource: string) =>
  pattern(
    new RegExp(`^arn:aws[a-z-]*:${service}:[a-z0-9-]*:\\d{12}:${resource}$`),
    `an ARN of ${service} (arn:aws:${service}:<region>:<account>:${resource.replace(/\\/g, "").replace(/\.\+|\[\^:\]\+/g, "...")})`,
    "copy the ARN from the AWS console or CLI",
  );
const RETENTION = (v: number) =>
  (LOG_RETENTION_DAYS as readonly number[]).includes(v)
    ? undefined
    : { rule: `one of the retentions CloudWatch Logs accepts (${LOG_RETENTION_DAYS.join(", ")})`, fix: "pick the nearest accepted value" };
const POSITIVE = (v: number) => (v > 0 ? undefined : { rule: "greater than 0", fix: "a limit of 0 rejects every call with 429" });
const IMAGE_TAG = all(
  pattern(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, "an image tag (letters, digits, _ . -; at most 128)", "use a version or a commit SHA"),
  (v: string) => (v === "latest" ? { rule: 'an immutable tag, not "latest"', fix: "tags are immutable here: use a version or a commit SHA" } : undefined),
);
/** An image reference pinned by tag or digest; never ":latest". */
const IMAGE_REFERENCE = all(
  pattern(/^[a-z0-9.-]+(:\d+)?\/[a-z0-9._/-]+(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[0-9a-f]{64})$/, "an image reference with a tag or digest (<registry>/<repository>:<tag> or @sha256:<digest>)", "give the full image reference"),
  (v: string) => (/:latest$/.test(v) ? { rule: 'an image with an immutable tag or digest, not ":latest"', fix: "a mutable tag never triggers a redeploy; pin a version or digest" } : undefined),
);
/** Lowercase letters, digits and single inner hyphens (ECR, ECS and ELB names are built from it). */
const SHORT_NAME = (example: string) =>
  pattern(
    /^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){0,11}$/,
    "1 to 12 lowercase letters, digits or single hyphens, starting with a letter and not ending with a hyphen",
    example,
  );
const SUBNET_ID = pattern(/^subnet-[0-9a-f]{8,17}$/, "a subnet id (subnet-...)", "copy the id from the VPC console");

/** The schema: every setting, in the order the README lists them. */
export const FIELDS: readonly Field[] = [
  { key: "region", type: "string", env: "WSGW_REGION", doc: "AWS region of the chat stack.", check: REGION },
  {
    key: "environment",
    type: "string",
    env: "WSGW_ENVIRONMENT",
    doc: 'Environment name, part of resource names and tags. "production" turns on deletion protection.',
    check: SHORT_NAME('use for example "dev" or "production"'),
  },
  {
    key: "tags",
    type: "map",
    doc: "Tags added to every resource of the chat stack (provider default_tags).",
    check: (tags: Record<string, unknown>) => {
      for (const [k, v] of Object.entries(tags)) {
        if (typeof v !== "string") return { rule: "a map of strings", fix: `make the value of tag "${k}" a string` };
        if (k.length < 1 || k.length > 128 || v.length > 256) return { rule: "tag keys of 1 to 128 and values of at most 256 characters", fix: `shorten tag "${k}"` };
        if (k.toLowerCase().startsWith("aws:")) return { rule: 'tag keys that do not start with "aws:"', fix: `rename tag "${k}": AWS reserves the aws: prefix` };
      }
      return undefined;
    },
  },
  { key: "target.kind", type: "string", env: "WSGW_TARGET", oneOf: ["aws", "emulator"], doc: 'Where the chat stack deploys: "aws", or "emulator" (moto on loopback; leaves out what it cannot create).' },
  {
    key: "target.emulatorEndpoint",
    type: "string",
    env: "WSGW_EMULATOR_ENDPOINT",
    doc: "Endpoint of the AWS emulator for the emulator target.",
    check: (v: string) => {
      const m = /^http:\/\/(127\.0\.0\.1|localhost):(\d{1,5})$/.exec(v);
      return m && Number(m[2]) >= 1 && Number(m[2]) <= 65535
        ? undefined
        : { rule: "http://127.0.0.1:<port> with a port from 1 to 65535 (the emulator is only ever addressed on loopback)", fix: 'use for example "http://127.0.0.1:5000"' };
    },
  },
  { key: "state.backend", type: "string", oneOf: ["local", "s3", "cloud"], doc: 'Where the chat stack keeps its Terraform state: "local" file, "s3" bucket, or "cloud" (HCP Terraform / Terraform Cloud).' },
  {
    key: "state.s3.bucket",
    type: "string",
    nullable: true,
    doc: "S3 bucket for state (backend s3).",
    check: pattern(/^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "an S3 bucket name (3 to 63 lowercase letters, digits, dots or hyphens)", "use the name of an existing bucket"),
  },
  {
    key: "state.s3.keyPrefix",
    type: "string",
    doc: "Prefix of the state object key; the key is <prefix>/<stack>/terraform.tfstate.",
    check: pattern(/^[A-Za-z0-9!_.*'()/-]{1,200}$/, "1 to 200 URL-safe characters", 'use for example "websocket-gateway"'),
  },
  { key: "state.s3.region", type: "string", nullable: true, doc: "Region of the state bucket (default: region).", check: REGION },
  { key: "state.s3.kmsKeyArn", type: "string", nullable: true, doc: "KMS key for state encryption (default: S3-managed keys; state is always encrypted).", check: arn("kms", "key/.+") },
  { key: "state.s3.useLockfile", type: "boolean", doc: "Lock state with an S3 lock file (Terraform 1.10+ native locking)." },
  {
    key: "state.cloud.hostname",
    type: "string",
    doc: "Hostname of HCP Terraform or Terraform Enterprise (backend cloud).",
    check: pattern(/^[a-z0-9.-]+\.[a-z]{2,}$/, "a host name", 'use "app.terraform.io" or your Terraform Enterprise host'),
  },
  {
    key: "state.cloud.organization",
    type: "string",
    nullable: true,
    doc: "HCP Terraform organization (backend cloud).",
    check: pattern(/^[A-Za-z0-9_-]{1,40}$/, "an organization name", "copy it from HCP Terraform"),
  },
  {
    key: "state.cloud.workspace",
    type: "string",
    nullable: true,
    doc: "Workspace name (backend cloud; or workspaceTags).",
    check: pattern(/^[A-Za-z0-9_-]{1,90}$/, "a workspace name (letters, digits, - or _; at most 90)", "rename the workspace"),
  },
  { key: "state.cloud.workspaceTags", type: "string[]", doc: "Select workspaces by tags instead of a name (backend cloud).", check: eachItem(pattern(/^[a-z0-9:_-]{1,255}$/, "a lowercase tag", "lowercase the tag")) },
  {
    key: "state.cloud.project",
    type: "string",
    nullable: true,
    doc: "HCP Terraform project of the workspace (backend cloud).",
    check: pattern(/^[A-Za-z0-9_-](?:[A-Za-z0-9 _-]{0,38}[A-Za-z0-9_-])?$/, "a project name (1 to 40 letters, digits, spaces, - or _; no leading or trailing space)", "copy it from HCP Terraform"),
  },

  {
    key: "chat.name",
    type: "string",
    doc: "Base name of the chat stack's resources: <name>-<environment>-<part>.",
    check: SHORT_NAME('AWS limits load balancer names to 32 characters; use for example "chat"'),
  },
  { key: "chat.deletionProtection", type: "boolean", nullable: true, doc: "Deletion protection of the NLB and the table (default: on for environment production)." },
  { key: "chat.network.vpcId", type: "string", nullable: true, doc: "Existing VPC to use instead of creating one (then give privateSubnetIds).", check: pattern(/^vpc-[0-9a-f]{8,17}$/, "a VPC id (vpc-...)", "copy the id from the VPC console") },
  { key: "chat.network.privateSubnetIds", type: "string[]", doc: "Private subnets of the existing VPC (at least two, in different Availability Zones, with egress to AWS APIs).", check: eachItem(SUBNET_ID) },
  {
    key: "chat.network.cidr",
    type: "string",
    doc: "CIDR of the new VPC (/16 to /20).",
    check: pattern(/^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/(1[6-9]|20)$/, "an IPv4 CIDR block from /16 to /20", 'use for example "10.0.0.0/16"'),
  },
  {
    key: "chat.network.availabilityZones",
    type: "string[]",
    doc: "Availability Zones of the new VPC (default: looked up, the first azCount of the region).",
    check: eachItem(pattern(/^[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$/, "an Availability Zone name", 'use for example "eu-central-1a"')),
  },
  { key: "chat.network.azCount", type: "integer", doc: "Availability Zones to look up when none are listed.", check: range(2, 6, "use 2 to 6 Availability Zones") },
  { key: "chat.network.natGateways", type: "string", oneOf: ["single", "one-per-az"], doc: 'NAT gateways: "single" (cheaper) or "one-per-az" (survives a zone outage).' },
  { key: "chat.network.interfaceEndpoints", type: "boolean", doc: "Interface endpoints for ECR, CloudWatch Logs and X-Ray (less NAT traffic, hourly cost per zone)." },
  { key: "chat.table.ttlAttribute", type: "string", doc: "TTL attribute of the connections table.", check: pattern(/^[A-Za-z0-9_.-]{1,255}$/, "an attribute name", "rename it") },
  { key: "chat.table.pointInTimeRecovery", type: "boolean", doc: "Point-in-time recovery of the connections table." },
  { key: "chat.table.kmsKeyArn", type: "string", nullable: true, doc: "Customer managed KMS key of the table (default: AWS managed key).", check: arn("kms", "key/.+") },
  {
    key: "chat.backend.image.uri",
    type: "string",
    nullable: true,
    doc: "Image to run instead of building one (e.g. <account>.dkr.ecr.<region>.amazonaws.com/chat@sha256:...).",
    check: IMAGE_REFERENCE,
  },
  { key: "chat.backend.image.repositoryUrl", type: "string", doc: "GitHub repository of the Go backend (built when image.uri is not set).", check: GITHUB_REPOSITORY },
  { key: "chat.backend.image.gitRef", type: "string", doc: "Branch, tag or commit of the backend to build.", check: GIT_REF },
  { key: "chat.backend.image.tag", type: "string", env: "WSGW_IMAGE_TAG", doc: "Immutable ECR tag of the built image. A new tag builds gitRef again and rolls out the new image.", check: IMAGE_TAG },
  { key: "chat.backend.image.dockerfile", type: "string", doc: "Dockerfile of the backend, relative to its repository root.", check: pattern(/^(?!\/)[A-Za-z0-9._/-]{1,255}$/, "a relative path", 'use for example "Dockerfile"') },
  {
    key: "chat.backend.image.githubTokenSecretArn",
    type: "string",
    nullable: true,
    doc: "Secrets Manager secret with a GitHub token, for a private backend repository (read by CodeBuild only).",
    check: arn("secretsmanager", "secret:.+"),
  },
  { key: "chat.backend.port", type: "integer", doc: "Port the backend listens on (its HTTP_PORT).", check: range(1, 65535, "use a TCP port") },
  { key: "chat.backend.cpu", type: "integer", oneOf: undefined, doc: "Task CPU units: 256, 512, 1024, 2048 or 4096.", check: (v: number) => (FARGATE_SIZES[v] ? undefined : { rule: "256, 512, 1024, 2048 or 4096", fix: "pick a Fargate CPU size" }) },
  { key: "chat.backend.memory", type: "integer", doc: "Task memory in MiB (a size Fargate accepts with cpu)." },
  { key: "chat.backend.architecture", type: "string", oneOf: ["X86_64", "ARM64"], doc: "CPU architecture of the tasks and the built image." },
  { key: "chat.backend.desiredCount", type: "integer", doc: "Tasks to run (at least 2, spread over the Availability Zones).", check: range(2, 1000, "run at least 2 tasks so two Availability Zones serve") },
  { key: "chat.backend.autoScaling.enabled", type: "boolean", doc: "Scale the service on average CPU." },
  { key: "chat.backend.autoScaling.minCapacity", type: "integer", doc: "Fewest tasks when scaling.", check: range(2, 1000, "keep at least 2 tasks") },
  { key: "chat.backend.autoScaling.maxCapacity", type: "integer", doc: "Most tasks when scaling.", check: range(2, 1000, "allow at least 2 tasks") },
  { key: "chat.backend.autoScaling.targetCpuPercent", type: "integer", doc: "Average CPU to hold, in percent.", check: range(10, 90, "hold CPU between 10 and 90 percent") },
  { key: "chat.backend.tracing", type: "string", oneOf: ["xray-daemon", "adot", "off"], doc: 'Tracing sidecar: "xray-daemon" (end of support Feb 2027), "adot" (OpenTelemetry collector, same UDP 2000 segments) or "off".' },
  { key: "chat.backend.tracingImage", type: "string", nullable: true, doc: "Image of the tracing sidecar (default: a pinned version of the chosen collector).", check: IMAGE_REFERENCE },
  { key: "chat.backend.logRetentionDays", type: "integer", doc: "Retention of the backend and sidecar logs.", check: RETENTION },
  { key: "chat.backend.readonlyRootFilesystem", type: "boolean", doc: "Run the backend with a read-only root file system." },
  { key: "chat.backend.healthCheckPath", type: "string", doc: "Path of the NLB's HTTP health check (the backend answers GET /healthz).", check: pattern(/^\/[\x21-\x7E]{0,1023}$/, 'a path starting with "/"', 'use for example "/healthz"') },
  { key: "chat.backend.deregistrationDelaySeconds", type: "integer", doc: "Seconds a stopping task keeps serving in-flight requests (API Gateway calls last at most 29 s).", check: range(0, 3600, "use 0 to 3600 seconds") },
  {
    key: "chat.api.name",
    type: "string",
    nullable: true,
    doc: "Name of the WebSocket API (default: <name>-<environment>-websocket).",
    check: pattern(/^[^\x00-\x1F]{1,128}$/, "1 to 128 printable characters", "shorten the name"),
  },
  { key: "chat.api.stageName", type: "string", doc: "Stage name, the last part of the wss:// URL.", check: pattern(/^[A-Za-z0-9_-]{1,128}$/, "1 to 128 letters, digits, hyphens or underscores", 'use for example "prod"') },
  { key: "chat.api.autoDeploy", type: "boolean", doc: "Let API Gateway deploy changes itself (else an explicit deployment replaced on every route change)." },
  { key: "chat.api.throttle.burstLimit", type: "integer", doc: "Stage throttling burst limit.", check: POSITIVE },
  { key: "chat.api.throttle.rateLimit", type: "number", doc: "Stage throttling rate limit (requests per second).", check: POSITIVE },
  { key: "chat.api.loggingLevel", type: "string", oneOf: ["OFF", "ERROR", "INFO"], doc: "Execution logging level." },
  { key: "chat.api.dataTraceEnabled", type: "boolean", doc: "Log full message bodies (user data) in execution logs." },
  { key: "chat.api.detailedMetricsEnabled", type: "boolean", doc: "Per-route CloudWatch metrics (billed as custom metrics)." },
  { key: "chat.api.logRetentionDays", type: "integer", doc: "Retention of the API's access and execution logs.", check: RETENTION },
  { key: "chat.apiGatewayAccount.manage", type: "boolean", doc: "Set this region's API Gateway CloudWatch role (account-wide; false leaves an existing setting alone)." },
  { key: "chat.apiGatewayAccount.roleName", type: "string", nullable: true, doc: "Name of that role (default: <name>-<environment>-apigw-cloudwatch).", check: pattern(/^[\w+=,.@-]{1,64}$/, "an IAM role name (at most 64 of letters, digits and + = , . @ _ -)", "shorten or rename it") },
  { key: "chat.frontend.enabled", type: "boolean", doc: "Deploy the Next.js frontend on AWS Amplify." },
  { key: "chat.frontend.repositoryUrl", type: "string", doc: "GitHub repository of the frontend.", check: GITHUB_REPOSITORY },
  { key: "chat.frontend.branch", type: "string", doc: "Branch Amplify deploys.", check: GIT_REF },
  {
    key: "chat.frontend.tokenSecretArn",
    type: "string",
    nullable: true,
    doc: "Secrets Manager secret with the GitHub token for Amplify, read by the deploy actions only (default: the ephemeral Terraform variable github_access_token, written to a secret of the stack).",
    check: arn("secretsmanager", "secret:.+"),
  },
  { key: "chat.frontend.startBuild", type: "boolean", doc: "Start the branch's first build during apply (and again when WEBSOCKET_URL changes)." },
  { key: "chat.alarms.enabled", type: "boolean", doc: "CloudWatch alarms: API integration errors and 5xx, unhealthy NLB targets, service CPU." },
  { key: "chat.alarms.snsTopicArn", type: "string", nullable: true, doc: "Existing SNS topic for alarm notifications (default: a new topic).", check: arn("sns", "[^:]+") },
  {
    key: "chat.alarms.email",
    type: "string",
    nullable: true,
    doc: "E-mail address subscribed to the new alarm topic.",
    check: pattern(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, "an e-mail address", "fix the address"),
  },
];

/** Keys of the settings, for lookups. */
export const FIELD_BY_KEY: ReadonlyMap<string, Field> = new Map(FIELDS.map((f) => [f.key, f]));
