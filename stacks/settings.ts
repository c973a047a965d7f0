import { z } from "zod";
import * as rules from "../constructs/rules";
import { Rule, RouteThrottle } from "../constructs/rules";
import { DEFAULT_GO_VERSION } from "./chat-backend-dockerfile";
import { CHAT_ROUTE_KEYS } from "./chat-contract";

/**
 * Every setting of every stack, once: its type, default, environment
 * variable, documentation and rule. The `Settings` type is inferred from
 * this schema, docs/configuration.md's settings table is generated from it, and the
 * loader (config.ts) validates with it. cdktf.json's `context.settings`
 * holds this project's own values over the defaults (see config.ts).
 */

/** The kinds of values, as docs/configuration.md's settings table names them. */
export type FieldType = "string" | "number" | "integer" | "boolean" | "string[]" | "map";

/** One setting, as the loader and the docs see it. */
export interface Field {
  /** Dotted path: "chat.backend.port". */
  readonly key: string;
  readonly type: FieldType;
  readonly nullable: boolean;
  /** The allowed values of a choice. */
  readonly oneOf?: readonly string[];
  /**
   * What the type is in words, for the loader's messages, when the type's
   * own words would mislead (a map whose values are not strings).
   * @default - the type's words ("an object of strings" for a map)
   */
  readonly typeText?: string;
  readonly doc: string;
  /** Environment variable that overrides it. */
  readonly env?: string;
  /**
   * The built-in default; undefined when the project must give the value
   * (cdktf.json's context.settings).
   */
  readonly default?: unknown;
  /** The zod schema of the value, its rule included. */
  readonly schema: z.ZodTypeAny;
}

/** What a setting says beside its type. */
interface About<T> {
  readonly doc: string;
  /** @default - none: the project gives the value in cdktf.json */
  readonly default?: T;
  /** @default - no environment variable */
  readonly env?: string;
  /** @default - any value of the type */
  readonly rule?: Pick<Rule<NonNullable<T>>, "refine">;
}

type Described = Omit<Field, "key" | "schema">;
const DESCRIBED = new Map<z.ZodTypeAny, Described>();

/** Registers a setting: its schema (with the rule as a refinement) and what the docs and the loader need. */
function setting<S extends z.ZodTypeAny>(
  type: FieldType,
  schema: S,
  about: About<z.infer<S>>,
  nullable = false,
  oneOf?: readonly string[],
  typeText?: string,
): S {
  const refined = (about.rule ? schema.superRefine(about.rule.refine as never) : schema) as S;
  DESCRIBED.set(refined, { type, nullable, oneOf, typeText, doc: about.doc, env: about.env, default: about.default });
  return refined;
}

const text = (about: About<string>) => setting("string", z.string(), about);
const optionalText = (about: About<string | null>) => setting("string", z.string().nullable(), about, true);
const whole = (about: About<number>) => setting("integer", z.number().int(), about);
const decimal = (about: About<number>) => setting("number", z.number().finite(), about);
const flag = (about: About<boolean>) => setting("boolean", z.boolean(), about);
const optionalFlag = (about: About<boolean | null>) => setting("boolean", z.boolean().nullable(), about, true);
const list = (about: About<string[]>) => setting("string[]", z.array(z.string()), about);
const choice = <T extends readonly [string, ...string[]]>(values: T, about: About<T[number]>) =>
  setting("string", z.enum(values as unknown as [T[number], ...T[number][]]), about, false, values);
/** A map of strings; the rule checks the values, so its messages name the tag. */
const stringMap = (about: About<Record<string, string>>) => setting("map", z.record(z.unknown()) as unknown as z.ZodType<Record<string, string>>, about);

/** Per-route throttling: route key → one or both limits (the rule names a bad entry). */
const routeThrottleMap = (about: About<Record<string, RouteThrottle>>) =>
  setting(
    "map",
    z.record(z.unknown()) as unknown as z.ZodType<Record<string, RouteThrottle>>,
    about,
    false,
    undefined,
    "an object of route key → { burstLimit, rateLimit }",
  );

const CHAT_NAME = rules.shortName('AWS limits load balancer names to 32 characters; use for example "chat"');

/** The schema: every setting, in the order docs/configuration.md lists them. */
export const SETTINGS_SCHEMA = z.object({
  region: text({ env: "WSGW_REGION", default: "us-east-1", doc: "AWS region of the chat stack.", rule: rules.REGION }),
  environment: text({
    env: "WSGW_ENVIRONMENT",
    default: "dev",
    doc: 'Environment name, part of resource names and tags. "production" turns on deletion protection.',
    rule: rules.shortName('use for example "dev" or "production"'),
  }),
  tags: stringMap({ default: {}, doc: "Tags added to every resource of the chat stack (provider default_tags).", rule: rules.TAGS }),
  target: z.object({
    kind: choice(["aws", "emulator"], {
      env: "WSGW_TARGET",
      default: "aws",
      doc: 'Where the chat stack deploys: "aws", or "emulator" (moto on loopback; leaves out what it cannot create).',
    }),
    emulatorEndpoint: text({
      env: "WSGW_EMULATOR_ENDPOINT",
      default: "http://127.0.0.1:5000",
      doc: "Endpoint of the AWS emulator for the emulator target.",
      rule: rules.EMULATOR_ENDPOINT,
    }),
    lambdaStandInEndpoint: optionalText({
      default: null,
      doc: "Emulator target: endpoint of a stand-in that runs the stacks' Lambda functions and CodeBuild builds in front of the emulator (the tests' __tests__/support/stand-ins/); with it the deploy actions are kept. Null: they are left out.",
      rule: rules.EMULATOR_ENDPOINT,
    }),
  }),
  state: z.object({
    backend: choice(["local", "s3", "cloud"], {
      default: "local",
      doc: 'Where the chat stack keeps its Terraform state: "local" file, "s3" bucket, or "cloud" (HCP Terraform / Terraform Cloud).',
    }),
    s3: z.object({
      bucket: optionalText({ default: null, doc: "S3 bucket for state (backend s3).", rule: rules.S3_BUCKET }),
      keyPrefix: text({
        default: "websocket-gateway",
        doc: "Prefix of the state object key; the key is <prefix>/<stack>/terraform.tfstate.",
        rule: rules.S3_KEY_PREFIX,
      }),
      region: optionalText({ default: null, doc: "Region of the state bucket (default: region).", rule: rules.REGION }),
      kmsKeyArn: optionalText({
        default: null,
        doc: "KMS key for state encryption (default: S3-managed keys; state is always encrypted).",
        rule: rules.KMS_KEY_ARN,
      }),
      useLockfile: flag({ default: true, doc: "Lock state with an S3 lock file (Terraform 1.10+ native locking)." }),
    }),
    cloud: z.object({
      hostname: text({ default: "app.terraform.io", doc: "Hostname of HCP Terraform or Terraform Enterprise (backend cloud).", rule: rules.HOST_NAME }),
      organization: optionalText({ default: null, doc: "HCP Terraform organization (backend cloud).", rule: rules.HCP_ORGANIZATION }),
      workspace: optionalText({ default: null, doc: "Workspace name (backend cloud; or workspaceTags).", rule: rules.HCP_WORKSPACE }),
      workspaceTags: list({ default: [], doc: "Select workspaces by tags instead of a name (backend cloud).", rule: rules.eachItem(rules.HCP_WORKSPACE_TAG) }),
      project: optionalText({ default: null, doc: "HCP Terraform project of the workspace (backend cloud).", rule: rules.HCP_PROJECT }),
    }),
  }),
  chat: z.object({
    name: text({ default: "chat", doc: "Base name of the chat stack's resources: <name>-<environment>-<part>.", rule: CHAT_NAME }),
    deletionProtection: optionalFlag({ default: null, doc: "Deletion protection of the NLB and the table (default: on for environment production)." }),
    network: z.object({
      vpcId: optionalText({ default: null, doc: "Existing VPC to use instead of creating one (then give privateSubnetIds).", rule: rules.VPC_ID }),
      privateSubnetIds: list({
        default: [],
        doc: "Private subnets of the existing VPC (at least two, in different Availability Zones, with egress to AWS APIs).",
        rule: rules.eachItem(rules.SUBNET_ID),
      }),
      cidr: text({ default: "10.0.0.0/16", doc: "CIDR of the new VPC (/16 to /20).", rule: rules.VPC_CIDR }),
      availabilityZones: list({
        default: [],
        doc: "Availability Zones of the new VPC (default: looked up, the first azCount of the region).",
        rule: rules.eachItem(rules.AVAILABILITY_ZONE),
      }),
      azCount: whole({ default: 2, doc: "Availability Zones to look up when none are listed.", rule: rules.AZ_COUNT }),
      natGateways: choice(rules.NAT_GATEWAY_MODES, { default: "single", doc: 'NAT gateways: "single" (cheaper) or "one-per-az" (survives a zone outage).' }),
      interfaceEndpoints: flag({ default: false, doc: "Interface endpoints for ECR, CloudWatch Logs and X-Ray (less NAT traffic, hourly cost per zone)." }),
    }),
    table: z.object({
      ttlAttribute: optionalText({
        default: null,
        doc: "TTL attribute of the connections table (epoch seconds), only for a backend that writes it; the chat backend does not, so none by default.",
        rule: rules.ATTRIBUTE_NAME,
      }),
      pointInTimeRecovery: flag({ default: true, doc: "Point-in-time recovery of the connections table." }),
      kmsKeyArn: optionalText({ default: null, doc: "Customer managed KMS key of the table (default: AWS managed key).", rule: rules.KMS_KEY_ARN }),
    }),
    backend: z.object({
      image: z.object({
        uri: optionalText({
          default: null,
          doc: "Image to run instead of building one (e.g. <account>.dkr.ecr.<region>.amazonaws.com/chat@sha256:...).",
          rule: rules.PINNED_IMAGE,
        }),
        repositoryUrl: text({
          default: "https://github.com/Faaizz/simple_http_chatapp",
          doc: "GitHub repository of the Go backend (built when image.uri is not set).",
          rule: rules.GITHUB_REPOSITORY,
        }),
        gitRef: text({ default: "main", doc: "Branch, tag or commit of the backend to build.", rule: rules.GIT_REF }),
        // No built-in default: the release to build is the project's (cdktf.json), or WSGW_IMAGE_TAG's.
        tag: text({
          env: "WSGW_IMAGE_TAG",
          doc: "Immutable ECR tag of the built image. A new tag builds gitRef again and rolls out the new image.",
          rule: rules.IMMUTABLE_IMAGE_TAG,
        }),
        dockerfile: optionalText({
          default: null,
          doc: "Dockerfile of the repository to build, relative to its root; null (the default) builds with this project's Dockerfile instead: Go goVersion, a static binary in an image without the toolchain, run as a non-root user (needs a port of 1024 or more). \"Dockerfile\" is the backend repository's own (Go 1.19, runs as root).",
          rule: rules.RELATIVE_PATH,
        }),
        goVersion: text({
          default: DEFAULT_GO_VERSION,
          doc: "Go release the project's Dockerfile builds the backend with (dockerfile null): a supported one, 1.<minor>.",
          rule: rules.GO_VERSION,
        }),
        githubTokenSecretArn: optionalText({
          default: null,
          doc: "Secrets Manager secret with a GitHub token, for a private backend repository (read by CodeBuild only).",
          rule: rules.SECRET_ARN,
        }),
        dockerHub: z.object({
          kind: choice(rules.DOCKER_HUB_ACCESS_KINDS, {
            default: "ecr-public",
            doc: 'How the image build pulls the Dockerfile\'s Docker Hub images: "ecr-public" (Docker Official Images from their ECR Public copies, no account), "login" (docker login with a Docker Hub token), "pull-through-cache" (an ECR cache of Docker Hub) or "anonymous" (subject to Docker Hub\'s per-address pull limit).',
          }),
          credentialsSecretArn: optionalText({
            default: null,
            doc: 'Full ARN of the Secrets Manager secret {"username", "accessToken"} of a Docker Hub user, for "login" and "pull-through-cache" (its name must then start with ecr-pullthroughcache/); read by CodeBuild or ECR only.',
            rule: rules.FULL_SECRET_ARN,
          }),
          repositoryPrefix: optionalText({
            default: null,
            doc: 'ECR repository prefix of the pull through cache (default: <name>-<environment>-backend-docker-hub); "pull-through-cache" only.',
            rule: rules.ECR_REPOSITORY_PREFIX,
          }),
          createRule: flag({
            default: true,
            doc: 'Create the pull through cache rule; false uses an existing rule of repositoryPrefix. "pull-through-cache" only.',
          }),
        }),
      }),
      port: whole({
        default: 8080,
        doc: "Port the backend listens on (its HTTP_PORT), the target group's and the health check's; 1024 or more with the project's Dockerfile (non-root). The NLB listens on 80.",
        rule: rules.PORT,
      }),
      cpu: whole({ default: 256, doc: "Task CPU units: 256, 512, 1024, 2048 or 4096.", rule: rules.FARGATE_CPU }),
      memory: whole({ default: 512, doc: "Task memory in MiB (a size Fargate accepts with cpu)." }),
      architecture: choice(rules.ARCHITECTURES, { default: "X86_64", doc: "CPU architecture of the tasks and the built image." }),
      desiredCount: whole({ default: 2, doc: "Tasks to run (at least 2, spread over the Availability Zones).", rule: rules.DESIRED_COUNT }),
      autoScaling: z.object({
        enabled: flag({ default: true, doc: "Scale the service on average CPU." }),
        minCapacity: whole({ default: 2, doc: "Fewest tasks when scaling.", rule: rules.MIN_CAPACITY }),
        maxCapacity: whole({ default: 6, doc: "Most tasks when scaling.", rule: rules.MAX_CAPACITY }),
        targetCpuPercent: whole({ default: 60, doc: "Average CPU to hold, in percent.", rule: rules.TARGET_CPU_PERCENT }),
      }),
      tracing: choice(rules.TRACING_MODES, {
        default: "adot",
        doc: 'Tracing sidecar: "adot" (AWS Distro for OpenTelemetry collector: receives the X-Ray SDK\'s segments on UDP 2000 and proxies its sampling rules), "xray-daemon" (end of support 25 Feb 2027) or "off".',
      }),
      tracingImage: optionalText({
        default: null,
        doc: "Image of the tracing sidecar (default: a pinned version of the chosen collector).",
        rule: rules.PINNED_IMAGE,
      }),
      logRetentionDays: whole({ default: 30, doc: "Retention of the backend and sidecar logs.", rule: rules.LOG_RETENTION }),
      readonlyRootFilesystem: flag({ default: true, doc: "Run the backend with a read-only root file system." }),
      healthCheckPath: text({
        default: "/healthz",
        doc: "Path of the NLB's HTTP health check (the backend answers GET /healthz).",
        rule: rules.HEALTH_CHECK_PATH,
      }),
      deregistrationDelaySeconds: whole({
        default: 30,
        doc: "Seconds a stopping task keeps serving in-flight requests (API Gateway calls last at most 29 s).",
        rule: rules.DEREGISTRATION_DELAY,
      }),
    }),
    api: z.object({
      name: optionalText({ default: null, doc: "Name of the WebSocket API (default: <name>-<environment>-websocket).", rule: rules.PRINTABLE_API_NAME }),
      stageName: text({ default: "prod", doc: "Stage name, the last part of the wss:// URL.", rule: rules.STAGE_NAME }),
      autoDeploy: flag({ default: true, doc: "Let API Gateway deploy changes itself (else an explicit deployment replaced on every route change)." }),
      throttle: z.object({
        burstLimit: whole({ default: 1000, doc: "Stage throttling burst limit.", rule: rules.THROTTLE_BURST_LIMIT }),
        rateLimit: decimal({ default: 500, doc: "Stage throttling rate limit (requests per second).", rule: rules.THROTTLE_RATE_LIMIT }),
      }),
      loggingLevel: choice(rules.LOGGING_LEVELS, { default: "ERROR", doc: "Execution logging level." }),
      dataTraceEnabled: flag({ default: false, doc: "Log full message bodies (user data) in execution logs." }),
      detailedMetricsEnabled: flag({ default: false, doc: "Per-route CloudWatch metrics (billed as custom metrics)." }),
      logRetentionDays: whole({ default: 30, doc: "Retention of the API's access and execution logs.", rule: rules.LOG_RETENTION }),
      // Production edges (issue 14): who may connect, and limits per route.
      authorization: z.object({
        type: choice(rules.AUTHORIZATION_TYPES, {
          default: "NONE",
          doc: 'Who may open a connection ($connect): "NONE" (anyone with the URL), "AWS_IAM" (SigV4-signed connect requests allowed execute-api:Invoke on the connect_route_arn output) or "CUSTOM" (the Lambda REQUEST authorizer functionArn).',
        }),
        functionArn: optionalText({
          default: null,
          doc: 'ARN of the existing Lambda function that authorizes $connect (type "CUSTOM"); API Gateway gets permission to invoke it for this API\'s authorizers only.',
          rule: rules.AUTHORIZER_FUNCTION_ARN,
        }),
        identitySources: list({
          default: ["route.request.querystring.token"],
          doc: "Where the authorizer finds the client's credentials (route.request.querystring.<name>, route.request.header.<name>, stageVariables.<name>, context.<name>); browsers cannot send headers when they open a WebSocket.",
          rule: rules.IDENTITY_SOURCES,
        }),
        credentialsRoleArn: optionalText({
          default: null,
          doc: 'Role API Gateway assumes to invoke the authorizer function, instead of a permission on the function (type "CUSTOM" only).',
          rule: rules.ROLE_ARN,
        }),
      }),
      routeThrottle: routeThrottleMap({
        default: {},
        doc: `Throttling of single routes, route key → { burstLimit, rateLimit } (either or both; the other is the stage's), e.g. { "message": { "burstLimit": 20, "rateLimit": 10 } }. Routes: ${CHAT_ROUTE_KEYS.join(", ")}.`,
        rule: rules.routeThrottles(CHAT_ROUTE_KEYS) as unknown as Rule<Record<string, RouteThrottle>>,
      }),
    }),
    // Production edges (issue 14): the custom domain clients connect to.
    domain: z.object({
      name: optionalText({
        default: null,
        doc: "Custom domain clients connect to (wss://<name>[/<mappingKey>]), e.g. chat.example.com; the frontend then uses it. Needs certificateArn or hostedZoneId.",
        rule: rules.DOMAIN_NAME,
      }),
      certificateArn: optionalText({
        default: null,
        doc: "Issued ACM certificate for the domain, in the stack's region (default: one is requested and validated through a DNS record in hostedZoneId).",
        rule: rules.CERTIFICATE_ARN,
      }),
      hostedZoneId: optionalText({
        default: null,
        doc: "Route 53 zone of the domain: gets the certificate's validation record and A/AAAA aliases (default: none; point your DNS at the custom_domain_target_domain_name output).",
        rule: rules.HOSTED_ZONE_ID,
      }),
      mappingKey: optionalText({
        default: null,
        doc: "Path segment under the domain that serves the stage (wss://<name>/<mappingKey>); default: the root.",
        rule: rules.API_MAPPING_KEY,
      }),
      ipAddressType: choice(rules.DOMAIN_IP_ADDRESS_TYPES, {
        default: "dualstack",
        doc: 'IP address type of the domain: "dualstack" (IPv4 and IPv6) or "ipv4".',
      }),
    }),
    apiGatewayAccount: z.object({
      manage: flag({
        default: true,
        doc: "Set this region's API Gateway CloudWatch role, shared with the region's other stacks (the last one destroyed resets it). The apply stops before replacing a role these stacks did not create; false leaves the setting alone and logs through the region's role.",
      }),
      replaceExisting: flag({
        default: false,
        doc: "Replace a CloudWatch role the region's API Gateway account already uses that these stacks did not create (every API's logs then go through the shared role; destroying the last stack that uses it resets the setting, it does not restore the old role).",
      }),
      roleName: optionalText({
        default: null,
        doc: "Name of the shared role created under the IAM path /websocket-gateway/ when the region has none (default: apigateway-cloudwatch-logs); a region whose setting names a shared role keeps it.",
        // Wording of the settings table's tests; the condition is IAM's.
        rule: rules.IAM_ROLE_NAME.with({ rule: "an IAM role name (at most 64 of letters, digits and + = , . @ _ -)", fix: "shorten or rename it" }),
      }),
    }),
    frontend: z.object({
      enabled: flag({ default: true, doc: "Deploy the Next.js frontend on AWS Amplify." }),
      source: choice(rules.FRONTEND_SOURCES, {
        default: "build",
        doc: '"build": CodeBuild builds repositoryUrl at gitRef with WEBSOCKET_URL set and publishes it to Amplify by manual deployment (no GitHub token, no repository admin, no webhook). "repository": Amplify connects the repository and builds every push (a token of an admin of that repository; for your own fork).',
      }),
      repositoryUrl: text({
        default: "https://github.com/Faaizz/simple_websocket_chatapp_frontend",
        doc: "GitHub repository of the frontend (public for source build, unless tokenSecretArn is given).",
        rule: rules.GITHUB_REPOSITORY,
      }),
      gitRef: text({
        default: "main",
        doc: 'Source "build": branch, tag or commit built. A branch is read when a build runs; pin a tag or commit for repeatable deploys.',
        rule: rules.GIT_REF,
      }),
      branch: text({
        default: "main",
        doc: 'Name of the Amplify branch (part of the site URL); with source "repository" also the Git branch Amplify builds.',
        rule: rules.GIT_REF,
      }),
      tokenSecretArn: optionalText({
        default: null,
        doc: 'Secrets Manager secret with a GitHub token. Source "repository": the token Amplify connects with, read by the deploy actions only (default: the ephemeral Terraform variable github_access_token, written to a secret of the stack). Source "build": only for a private repository, read by CodeBuild.',
        rule: rules.SECRET_ARN,
      }),
      startBuild: flag({ default: true, doc: 'Source "repository": start the branch\'s first build during apply (and again when WEBSOCKET_URL changes).' }),
      build: z.object({
        outputDirectory: text({
          default: "out",
          doc: 'Source "build": folder of the built site, relative to the repository root (a Next.js static export writes out/).',
          rule: rules.OUTPUT_DIRECTORY,
        }),
        nodeVersion: text({ default: "22", doc: 'Source "build": Node.js major version of the build.', rule: rules.NODE_MAJOR_VERSION }),
      }),
    }),
    dashboard: z.object({
      enabled: flag({
        default: true,
        doc: "CloudWatch dashboard <name>-<environment> of the API, its clients (connected-clients gauge, throttling, rejected connects, from the access logs), the NLB, the service, the table and @connections calls; see docs/chat.md, Observing it.",
      }),
    }),
    alarms: z.object({
      enabled: flag({
        default: false,
        doc: "CloudWatch alarms: API integration errors and 5xx, throttled requests, 4xx on $connect, connected clients, unhealthy NLB targets, NLB target resets, service CPU.",
      }),
      snsTopicArn: optionalText({ default: null, doc: "Existing SNS topic for alarm notifications (default: a new topic).", rule: rules.SNS_TOPIC_ARN }),
      email: optionalText({ default: null, doc: "E-mail address subscribed to the new alarm topic.", rule: rules.EMAIL }),
      throttledRequestsThreshold: whole({
        default: 10,
        doc: "Throttled requests (429 answers to frames and to $connect) per 5 minutes that raise the alarm.",
        rule: rules.ALARM_COUNT_THRESHOLD,
      }),
      rejectedConnectsThreshold: whole({
        default: 100,
        doc: "4xx answers to $connect (refused by the authorizer or the backend, or throttled) per 5 minutes that raise the alarm.",
        rule: rules.ALARM_COUNT_THRESHOLD,
      }),
      connectedClientsThreshold: whole({
        default: 10000,
        doc: "Connected clients that raise the alarm, as the dashboard's gauge counts them: connections opened in the last 2 hours (an upper bound).",
        rule: rules.ALARM_COUNT_THRESHOLD,
      }),
      targetResetsThreshold: whole({
        default: 10,
        doc: "TCP resets sent by the backend's tasks through the NLB per 5 minutes that raise the alarm.",
        rule: rules.ALARM_COUNT_THRESHOLD,
      }),
    }),
  }),
});

/** Every setting of every stack. */
export type Settings = z.infer<typeof SETTINGS_SCHEMA>;

/** Walks the schema down to its settings, in order. */
function fieldsOf(schema: z.ZodTypeAny, prefix: string): Field[] {
  const described = DESCRIBED.get(schema);
  if (described) return [{ key: prefix, schema, ...described }];
  if (!(schema instanceof z.ZodObject)) throw new Error(`setting ${prefix} is not declared with a setting builder`);
  return Object.entries(schema.shape as Record<string, z.ZodTypeAny>).flatMap(([k, s]) => fieldsOf(s, prefix ? `${prefix}.${k}` : k));
}

/** Every setting, in the order docs/configuration.md lists them. */
export const FIELDS: readonly Field[] = fieldsOf(SETTINGS_SCHEMA, "");

/** Keys of the settings, for lookups. */
export const FIELD_BY_KEY: ReadonlyMap<string, Field> = new Map(FIELDS.map((f) => [f.key, f]));
