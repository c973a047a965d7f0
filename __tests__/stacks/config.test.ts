import * as fs from "fs";
import * as path from "path";
import { builtInDefaults, committedDefaults, CONFIG_ENV, ConfigError, configFileFromArgs, loadSettings, resolveSettings } from "../../stacks/config";
import { FIELD_BY_KEY, FIELDS, Field } from "../../stacks/settings";
import { LOG_RETENTION_DAYS } from "../../constructs/validation";
import { defaultSettingsSource, PROJECT_DIR, settingsWith } from "../helpers";
import { configError, configProblems, FAKE, tempDir } from "./support";

/** The house format of a rejected setting: `<key> must be <rule>, got <value> (from <origin>): <fix>`. */
const problem = (key: string, rule: string, got: string, fix: string, origin = "test.json") => `${key} must be ${rule}, got ${got} (from ${origin}): ${fix}`;
const SECRET_FIX = (key: string) =>
  `remove ${key}; give the GitHub token as the sensitive Terraform variable github_access_token (TF_VAR_github_access_token) or store it in Secrets Manager and set chat.frontend.tokenSecretArn / chat.backend.image.githubTokenSecretArn`;
const VPC = "vpc-0123456789abcdef0";
const SUBNET_A = "subnet-0123abcd";
const SUBNET_B = "subnet-4567abcd";
const NAME_RULE = "1 to 12 lowercase letters, digits or single hyphens, starting with a letter and not ending with a hyphen";
const ARN_FIX = "copy the ARN from the AWS console or CLI";
const DOCKER_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:docker-hub-AbCdEf";
const CACHE_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:ecr-pullthroughcache/docker-hub-AbCdEf";
const RETENTIONS = `one of the retentions CloudWatch Logs accepts (${LOG_RETENTION_DAYS.join(", ")})`;

/** Problems of the defaults with `overrides` as the config file `test.json`. */
const problemsWith = (overrides: unknown, env: Record<string, string> = {}) => configProblems(() => settingsWith(overrides, env));

describe("resolveSettings", () => {
  test("accepts the committed defaults of cdktf.json", () => {
    // GIVEN / WHEN
    const s = settingsWith({});
    // THEN
    expect(s).toMatchObject({ region: "us-east-1", environment: "dev", target: { kind: "aws" }, state: { backend: "local" } });
    expect(s.chat.backend).toMatchObject({ port: 8080, cpu: 256, memory: 512, desiredCount: 2 });
  });

  test("returns exactly the documented settings, no more", () => {
    const s = settingsWith({});
    const leaves: string[] = [];
    const walk = (o: any, prefix: string) => {
      for (const [k, v] of Object.entries(o)) {
        const key = prefix ? `${prefix}.${k}` : k;
        if (v !== null && typeof v === "object" && !Array.isArray(v) && !FIELD_BY_KEY.has(key)) walk(v, key);
        else leaves.push(key);
      }
    };
    walk(s, "");
    expect(leaves.sort()).toEqual(FIELDS.map((f) => f.key).sort());
  });

  test("lets the config file override the cdktf.json defaults, setting by setting", () => {
    // GIVEN
    const file = { region: "eu-west-1", chat: { backend: { port: 9090 }, alarms: { enabled: true } } };
    // WHEN
    const s = settingsWith(file);
    // THEN
    expect(s.region).toBe("eu-west-1");
    expect(s.chat.backend.port).toBe(9090);
    expect(s.chat.backend.cpu).toBe(256);
    expect(s.chat.alarms).toEqual({
      enabled: true,
      snsTopicArn: null,
      email: null,
      throttledRequestsThreshold: 10,
      rejectedConnectsThreshold: 100,
      connectedClientsThreshold: 10000,
      targetResetsThreshold: 10,
    });
  });

  test("replaces maps and lists as a whole (tags, subnets)", () => {
    const s = settingsWith({ tags: { Team: "chat" }, chat: { network: { vpcId: VPC, privateSubnetIds: [SUBNET_A, SUBNET_B] } } });
    expect(s.tags).toEqual({ Team: "chat" });
    expect(s.chat.network.privateSubnetIds).toEqual([SUBNET_A, SUBNET_B]);
  });

  test("accepts settings documented as nullable set to null", () => {
    const s = settingsWith({ chat: { api: { name: null }, alarms: { email: null } } });
    expect(s.chat.api.name).toBeNull();
  });

  describe("fails with the setting, the value, what is allowed and the fix", () => {
    const cases: Array<[string, unknown, string[]]> = [
      // unknown keys
      [
        "a key is not a setting (with the nearest setting suggested)",
        { chat: { backend: { prot: 80 } } },
        ["chat.backend.prot is not a setting (from test.json): did you mean chat.backend.port? see the settings table in docs/configuration.md"],
      ],
      [
        "a top-level key is misspelt",
        { regoin: "eu-west-1" },
        ["regoin is not a setting (from test.json): did you mean region? see the settings table in docs/configuration.md"],
      ],
      [
        "a key is nothing like any setting (no suggestion)",
        { monitoring: { grafana: { dashboards: true } } },
        ["monitoring.grafana.dashboards is not a setting (from test.json): see the settings table in docs/configuration.md"],
      ],
      // wrong types
      [
        "a number is given as a string",
        { chat: { backend: { port: "80" } } },
        [problem("chat.backend.port", "a whole number", '"80"', "write it as a whole number")],
      ],
      [
        "a whole number has a fraction",
        { chat: { backend: { desiredCount: 2.5 } } },
        [problem("chat.backend.desiredCount", "a whole number", "2.5", "write it as a whole number")],
      ],
      [
        "a boolean is given as a number",
        { chat: { api: { autoDeploy: 1 } } },
        [problem("chat.api.autoDeploy", "true or false", "1", "write it as true or false")],
      ],
      [
        "a boolean is given as a string",
        { chat: { table: { pointInTimeRecovery: "yes" } } },
        [problem("chat.table.pointInTimeRecovery", "true or false", '"yes"', "write it as true or false")],
      ],
      [
        "a list is given as a string",
        { chat: { network: { vpcId: VPC, privateSubnetIds: SUBNET_A } } },
        [problem("chat.network.privateSubnetIds", "a list of strings", `"${SUBNET_A}"`, "write it as a list of strings")],
      ],
      [
        "a list holds a number",
        { state: { cloud: { workspaceTags: ["chat", 7] } } },
        [problem("state.cloud.workspaceTags", "a list of strings", '["chat",7]', "write it as a list of strings")],
      ],
      ["a map is given as a string", { tags: "Project=chat" }, [problem("tags", "an object of strings", '"Project=chat"', "write it as an object of strings")]],
      [
        "the route throttling map is given as a number (naming its own shape, not an object of strings)",
        { chat: { api: { routeThrottle: 5 } } },
        [
          problem(
            "chat.api.routeThrottle",
            "an object of route key → { burstLimit, rateLimit }",
            "5",
            "write it as an object of route key → { burstLimit, rateLimit }",
          ),
        ],
      ],
      ["a tag value is not a string", { tags: { Team: 5 } }, [problem("tags", "a map of strings", '{"Team":5}', 'make the value of tag "Team" a string')]],
      [
        "a required setting is null",
        { chat: { backend: { port: null } } },
        [problem("chat.backend.port", "a whole number", "null", "write it as a whole number")],
      ],
      ["a nullable string is a number", { chat: { api: { name: 42 } } }, [problem("chat.api.name", "a string or null", "42", "write it as a string or null")]],
      [
        "a choice is not one of the allowed values",
        { chat: { backend: { tracing: "jaeger" } } },
        [problem("chat.backend.tracing", 'one of "xray-daemon", "adot", "off"', '"jaeger"', "use one of the allowed values")],
      ],
      [
        "the state backend is unknown",
        { state: { backend: "gcs" } },
        [problem("state.backend", 'one of "local", "s3", "cloud"', '"gcs"', "use one of the allowed values")],
      ],
      // ranges
      ["the backend port is above 65535", { chat: { backend: { port: 70000 } } }, [problem("chat.backend.port", "from 1 to 65535", "70000", "use a TCP port")]],
      ["the backend port is 0", { chat: { backend: { port: 0 } } }, [problem("chat.backend.port", "from 1 to 65535", "0", "use a TCP port")]],
      [
        "fewer than 2 tasks are asked for",
        { chat: { backend: { desiredCount: 1, autoScaling: { enabled: false } } } },
        [problem("chat.backend.desiredCount", "from 2 to 1000", "1", "run at least 2 tasks so two Availability Zones serve")],
      ],
      [
        "fewer than 2 Availability Zones are looked up",
        { chat: { network: { azCount: 1 } } },
        [problem("chat.network.azCount", "from 2 to 6", "1", "use 2 to 6 Availability Zones")],
      ],
      [
        "the scaling target CPU is above 90 percent",
        { chat: { backend: { autoScaling: { targetCpuPercent: 95 } } } },
        [problem("chat.backend.autoScaling.targetCpuPercent", "from 10 to 90", "95", "hold CPU between 10 and 90 percent")],
      ],
      // network
      [
        "an existing VPC has a single subnet",
        { chat: { network: { vpcId: VPC, privateSubnetIds: [SUBNET_A] } } },
        [
          problem(
            "chat.network.privateSubnetIds",
            "at least two subnets (in different Availability Zones) when vpcId is set",
            `["${SUBNET_A}"]`,
            "list the private subnets of the VPC",
          ),
        ],
      ],
      [
        "an existing VPC is given without subnets",
        { chat: { network: { vpcId: VPC } } },
        [
          problem(
            "chat.network.privateSubnetIds",
            "at least two subnets (in different Availability Zones) when vpcId is set",
            "[]",
            "list the private subnets of the VPC",
            "cdktf.json",
          ),
        ],
      ],
      [
        "subnets are given without their VPC",
        { chat: { network: { privateSubnetIds: [SUBNET_A, SUBNET_B] } } },
        [
          problem(
            "chat.network.vpcId",
            "set when privateSubnetIds are given",
            "null",
            "give the VPC of those subnets, or remove privateSubnetIds to create a VPC",
            "cdktf.json",
          ),
        ],
      ],
      [
        "a subnet is listed twice",
        { chat: { network: { vpcId: VPC, privateSubnetIds: [SUBNET_A, SUBNET_A] } } },
        [problem("chat.network.privateSubnetIds", "distinct subnets", `["${SUBNET_A}","${SUBNET_A}"]`, "remove the duplicates")],
      ],
      [
        "a subnet id is not one",
        { chat: { network: { vpcId: VPC, privateSubnetIds: [SUBNET_A, "private-b"] } } },
        [
          problem(
            "chat.network.privateSubnetIds",
            "a list whose every item is a subnet id (subnet-...)",
            `["${SUBNET_A}","private-b"]`,
            "copy the id from the VPC console",
          ),
        ],
      ],
      [
        "the VPC id is not one",
        { chat: { network: { vpcId: "default", privateSubnetIds: [SUBNET_A, SUBNET_B] } } },
        [problem("chat.network.vpcId", "a VPC id (vpc-...)", '"default"', "copy the id from the VPC console")],
      ],
      [
        "a single Availability Zone is listed",
        { chat: { network: { availabilityZones: ["us-east-1a"] } } },
        [problem("chat.network.availabilityZones", "at least two zones (or empty to look them up)", '["us-east-1a"]', "list two or more zones")],
      ],
      [
        "an Availability Zone is listed twice",
        { chat: { network: { availabilityZones: ["us-east-1a", "us-east-1a"] } } },
        [problem("chat.network.availabilityZones", "distinct zones", '["us-east-1a","us-east-1a"]', "remove the duplicates")],
      ],
      [
        "the Availability Zones are in another region",
        { chat: { network: { availabilityZones: ["eu-west-1a", "eu-west-1b"] } } },
        [problem("chat.network.availabilityZones", "zones of region us-east-1", '["eu-west-1a","eu-west-1b"]', "list zones of the stack's region")],
      ],
      [
        "an Availability Zone name is not one",
        { chat: { network: { availabilityZones: ["us-east-1a", "zone-b"] } } },
        [
          problem(
            "chat.network.availabilityZones",
            "a list whose every item is an Availability Zone name",
            '["us-east-1a","zone-b"]',
            'use for example "eu-central-1a"',
          ),
        ],
      ],
      [
        "the VPC CIDR is wider than /16",
        { chat: { network: { cidr: "10.0.0.0/8" } } },
        [problem("chat.network.cidr", "an IPv4 CIDR block from /16 to /20", '"10.0.0.0/8"', 'use for example "10.0.0.0/16"')],
      ],
      [
        "the VPC CIDR is not an address",
        { chat: { network: { cidr: "10.0.256.0/16" } } },
        [problem("chat.network.cidr", "an IPv4 CIDR block from /16 to /20", '"10.0.256.0/16"', 'use for example "10.0.0.0/16"')],
      ],
      [
        "the region is not a region code",
        { region: "europe" },
        [problem("region", "an AWS region code", '"europe"', 'use for example "us-east-1" or "eu-central-1"')],
      ],
      // names
      [
        "chat.name has forbidden characters",
        { chat: { name: "Chat_App" } },
        [problem("chat.name", NAME_RULE, '"Chat_App"', 'AWS limits load balancer names to 32 characters; use for example "chat"')],
      ],
      [
        "chat.name is longer than 12 characters (load balancer names are at most 32)",
        { chat: { name: "chatchatchatc" } },
        [problem("chat.name", NAME_RULE, '"chatchatchatc"', 'AWS limits load balancer names to 32 characters; use for example "chat"')],
      ],
      [
        "the environment has capitals",
        { environment: "Production" },
        [problem("environment", NAME_RULE, '"Production"', 'use for example "dev" or "production"')],
      ],
      [
        "chat.name ends with a hyphen (ECR rejects the repository name)",
        { chat: { name: "chat-" } },
        [problem("chat.name", NAME_RULE, '"chat-"', 'AWS limits load balancer names to 32 characters; use for example "chat"')],
      ],
      [
        "the environment has two hyphens in a row",
        { environment: "pre--prod" },
        [problem("environment", NAME_RULE, '"pre--prod"', 'use for example "dev" or "production"')],
      ],
      [
        "the environment is longer than 12 characters",
        { environment: "integration-1" },
        [problem("environment", NAME_RULE, '"integration-1"', 'use for example "dev" or "production"')],
      ],
      [
        "the API name is longer than 128 characters",
        { chat: { api: { name: "x".repeat(129) } } },
        [problem("chat.api.name", "1 to 128 printable characters", JSON.stringify("x".repeat(129)), "shorten the name")],
      ],
      [
        "the API name has a control character",
        { chat: { api: { name: "chat\napi" } } },
        [problem("chat.api.name", "1 to 128 printable characters", '"chat\\napi"', "shorten the name")],
      ],
      [
        "the stage name has a space",
        { chat: { api: { stageName: "prod stage" } } },
        [problem("chat.api.stageName", "1 to 128 letters, digits, hyphens or underscores", '"prod stage"', 'use for example "prod"')],
      ],
      [
        "the CloudWatch role name is longer than 64 characters",
        { chat: { apiGatewayAccount: { roleName: "r".repeat(65) } } },
        [
          problem(
            "chat.apiGatewayAccount.roleName",
            "an IAM role name (at most 64 of letters, digits and + = , . @ _ -)",
            JSON.stringify("r".repeat(65)),
            "shorten or rename it",
          ),
        ],
      ],
      [
        "the CloudWatch role name has a slash",
        { chat: { apiGatewayAccount: { roleName: "apigw/cloudwatch" } } },
        [
          problem(
            "chat.apiGatewayAccount.roleName",
            "an IAM role name (at most 64 of letters, digits and + = , . @ _ -)",
            '"apigw/cloudwatch"',
            "shorten or rename it",
          ),
        ],
      ],
      [
        "a tag key uses the reserved aws: prefix",
        { tags: { "aws:cost": "x" } },
        [problem("tags", 'tag keys that do not start with "aws:"', '{"aws:cost":"x"}', 'rename tag "aws:cost": AWS reserves the aws: prefix')],
      ],
      // API
      [
        "the throttling burst limit is 0",
        { chat: { api: { throttle: { burstLimit: 0 } } } },
        [problem("chat.api.throttle.burstLimit", "greater than 0", "0", "a limit of 0 rejects every call with 429")],
      ],
      [
        "the throttling rate limit is negative",
        { chat: { api: { throttle: { rateLimit: -5 } } } },
        [problem("chat.api.throttle.rateLimit", "greater than 0", "-5", "a limit of 0 rejects every call with 429")],
      ],
      [
        "the API log retention is not one CloudWatch accepts",
        { chat: { api: { logRetentionDays: 10 } } },
        [problem("chat.api.logRetentionDays", RETENTIONS, "10", "pick the nearest accepted value")],
      ],
      [
        "the backend log retention is not one CloudWatch accepts",
        { chat: { backend: { logRetentionDays: 0 } } },
        [problem("chat.backend.logRetentionDays", RETENTIONS, "0", "pick the nearest accepted value")],
      ],
      // ARNs
      [
        "the state KMS key ARN has a short account id",
        { state: { s3: { kmsKeyArn: "arn:aws:kms:us-east-1:123:key/abc" } } },
        [problem("state.s3.kmsKeyArn", "an ARN of kms (arn:aws:kms:<region>:<account>:key/...)", '"arn:aws:kms:us-east-1:123:key/abc"', ARN_FIX)],
      ],
      [
        "the table KMS key is an alias, not a key ARN",
        { chat: { table: { kmsKeyArn: "alias/chat" } } },
        [problem("chat.table.kmsKeyArn", "an ARN of kms (arn:aws:kms:<region>:<account>:key/...)", '"alias/chat"', ARN_FIX)],
      ],
      [
        "the frontend token secret is a name, not an ARN",
        { chat: { frontend: { tokenSecretArn: "github-token" } } },
        [problem("chat.frontend.tokenSecretArn", "an ARN of secretsmanager (arn:aws:secretsmanager:<region>:<account>:secret:...)", '"github-token"', ARN_FIX)],
      ],
      [
        "the build token secret ARN is of another service",
        { chat: { backend: { image: { githubTokenSecretArn: "arn:aws:ssm:us-east-1:123456789012:parameter/gh" } } } },
        [
          problem(
            "chat.backend.image.githubTokenSecretArn",
            "an ARN of secretsmanager (arn:aws:secretsmanager:<region>:<account>:secret:...)",
            '"arn:aws:ssm:us-east-1:123456789012:parameter/gh"',
            ARN_FIX,
          ),
        ],
      ],
      [
        "the SNS topic ARN has no topic name",
        { chat: { alarms: { snsTopicArn: "arn:aws:sns:us-east-1:123456789012" } } },
        [problem("chat.alarms.snsTopicArn", "an ARN of sns (arn:aws:sns:<region>:<account>:...)", '"arn:aws:sns:us-east-1:123456789012"', ARN_FIX)],
      ],
      // sources and images
      [
        "the frontend repository is not on GitHub",
        { chat: { frontend: { repositoryUrl: "https://gitlab.com/owner/repo" } } },
        [
          problem(
            "chat.frontend.repositoryUrl",
            "a GitHub repository URL (https://github.com/<owner>/<repo>)",
            '"https://gitlab.com/owner/repo"',
            "give the https URL of the repository",
          ),
        ],
      ],
      [
        "the backend repository is an SSH remote",
        { chat: { backend: { image: { repositoryUrl: "git@github.com:Faaizz/simple_http_chatapp.git" } } } },
        [
          problem(
            "chat.backend.image.repositoryUrl",
            "a GitHub repository URL (https://github.com/<owner>/<repo>)",
            '"git@github.com:Faaizz/simple_http_chatapp.git"',
            "give the https URL of the repository",
          ),
        ],
      ],
      [
        "the backend git ref has '..'",
        { chat: { backend: { image: { gitRef: "main..dev" } } } },
        [problem("chat.backend.image.gitRef", "a Git branch, tag or commit", '"main..dev"', 'use for example "main" or a commit SHA')],
      ],
      [
        "the frontend branch ends with a slash",
        { chat: { frontend: { branch: "feature/" } } },
        [problem("chat.frontend.branch", "a Git branch, tag or commit", '"feature/"', 'use for example "main" or a commit SHA')],
      ],
      [
        "the image tag is latest",
        { chat: { backend: { image: { tag: "latest" } } } },
        [problem("chat.backend.image.tag", 'an immutable tag, not "latest"', '"latest"', "tags are immutable here: use a version or a commit SHA")],
      ],
      [
        "the image tag has a colon",
        { chat: { backend: { image: { tag: "v1:2" } } } },
        [problem("chat.backend.image.tag", "an image tag (letters, digits, _ . -; at most 128)", '"v1:2"', "use a version or a commit SHA")],
      ],
      [
        "the image uri ends with :latest",
        { chat: { backend: { image: { uri: "123456789012.dkr.ecr.us-east-1.amazonaws.com/chat:latest" } } } },
        [
          problem(
            "chat.backend.image.uri",
            'an image with an immutable tag or digest, not ":latest"',
            '"123456789012.dkr.ecr.us-east-1.amazonaws.com/chat:latest"',
            "a mutable tag never triggers a redeploy; pin a version or digest",
          ),
        ],
      ],
      [
        "the image uri has neither tag nor digest",
        { chat: { backend: { image: { uri: "ghcr.io/acme/chat" } } } },
        [
          problem(
            "chat.backend.image.uri",
            "an image reference with a tag or digest (<registry>/<repository>:<tag> or @sha256:<digest>)",
            '"ghcr.io/acme/chat"',
            "give the full image reference",
          ),
        ],
      ],
      [
        "an image uri is given together with a build token secret",
        {
          chat: { backend: { image: { uri: "ghcr.io/acme/chat:v1", githubTokenSecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:gh-AbCdEf" } } },
        },
        [
          problem(
            "chat.backend.image.githubTokenSecretArn",
            "unset when image.uri is given (nothing is built)",
            '"arn:aws:secretsmanager:us-east-1:123456789012:secret:gh-AbCdEf"',
            "remove one of the two",
          ),
        ],
      ],
      [
        "the Dockerfile path is absolute",
        { chat: { backend: { image: { dockerfile: "/Dockerfile" } } } },
        [problem("chat.backend.image.dockerfile", "a relative path", '"/Dockerfile"', 'use for example "Dockerfile"')],
      ],
      [
        "the health check path does not start with /",
        { chat: { backend: { healthCheckPath: "healthz" } } },
        [problem("chat.backend.healthCheckPath", 'a path starting with "/"', '"healthz"', 'use for example "/healthz"')],
      ],
      [
        "the health check path, which the sampling rule matches, is longer than X-Ray allows while tracing is on",
        { chat: { backend: { healthCheckPath: `/${"h".repeat(128)}` } } },
        [
          problem(
            "chat.backend.healthCheckPath",
            'at most 128 characters while chat.backend.tracing is "adot" (it is the URL path of the X-Ray sampling rule that keeps health checks out of the traces, and X-Ray allows 128)',
            JSON.stringify(`/${"h".repeat(128)}`),
            'shorten the path, or set chat.backend.tracing to "off"',
          ),
        ],
      ],
      [
        "the tracing image has neither tag nor digest",
        { chat: { backend: { tracingImage: "not an image!!" } } },
        [
          problem(
            "chat.backend.tracingImage",
            "an image reference with a tag or digest (<registry>/<repository>:<tag> or @sha256:<digest>)",
            '"not an image!!"',
            "give the full image reference",
          ),
        ],
      ],
      [
        "the backend port is the tracing collector's port",
        { chat: { backend: { port: 2000 } } },
        [
          problem(
            "chat.backend.port",
            'other than 2000 while chat.backend.tracing is "adot" (the collector listens on 2000)',
            "2000",
            'pick another port, or set chat.backend.tracing to "off"',
          ),
        ],
      ],
      // Fargate sizes and scaling
      [
        "the CPU is not a Fargate size",
        { chat: { backend: { cpu: 300 } } },
        [problem("chat.backend.cpu", "256, 512, 1024, 2048 or 4096", "300", "pick a Fargate CPU size")],
      ],
      [
        "the memory does not go with the CPU on Fargate",
        { chat: { backend: { cpu: 256, memory: 4096 } } },
        [problem("chat.backend.memory", "one of 512, 1024, 2048 MiB with 256 CPU units", "4096", "pick a memory size Fargate accepts with that CPU")],
      ],
      [
        "the memory is too small for 1 vCPU",
        { chat: { backend: { cpu: 1024, memory: 1024 } } },
        [
          problem(
            "chat.backend.memory",
            "one of 2048, 3072, 4096, 5120, 6144, 7168, 8192 MiB with 1024 CPU units",
            "1024",
            "pick a memory size Fargate accepts with that CPU",
          ),
        ],
      ],
      [
        "autoscaling minCapacity is above maxCapacity",
        { chat: { backend: { autoScaling: { minCapacity: 4, maxCapacity: 3 } } } },
        [problem("chat.backend.autoScaling.maxCapacity", "at least minCapacity (4)", "3", "raise maxCapacity or lower minCapacity")],
      ],
      [
        "desiredCount is above the scaling range",
        { chat: { backend: { desiredCount: 10 } } },
        [problem("chat.backend.desiredCount", "between autoScaling.minCapacity (2) and maxCapacity (6)", "10", "move it into the scaling range")],
      ],
      [
        "desiredCount is below the scaling range",
        { chat: { backend: { desiredCount: 2, autoScaling: { minCapacity: 3 } } } },
        [problem("chat.backend.desiredCount", "between autoScaling.minCapacity (3) and maxCapacity (6)", "2", "move it into the scaling range")],
      ],
      // target and state
      [
        "the emulator endpoint is not on loopback",
        { target: { emulatorEndpoint: "http://10.0.0.5:5000" } },
        [
          problem(
            "target.emulatorEndpoint",
            "http://127.0.0.1:<port> with a port from 1 to 65535 (the emulator is only ever addressed on loopback)",
            '"http://10.0.0.5:5000"',
            'use for example "http://127.0.0.1:5000"',
          ),
        ],
      ],
      [
        "the emulator endpoint is https",
        { target: { emulatorEndpoint: "https://127.0.0.1:5000" } },
        [
          problem(
            "target.emulatorEndpoint",
            "http://127.0.0.1:<port> with a port from 1 to 65535 (the emulator is only ever addressed on loopback)",
            '"https://127.0.0.1:5000"',
            'use for example "http://127.0.0.1:5000"',
          ),
        ],
      ],
      [
        "the target is unknown",
        { target: { kind: "localstack" } },
        [problem("target.kind", 'one of "aws", "emulator"', '"localstack"', "use one of the allowed values")],
      ],
      [
        "the s3 state backend has no bucket",
        { state: { backend: "s3" } },
        [problem("state.s3.bucket", 'set when state.backend is "s3"', "null", "name the bucket that holds the state", "cdktf.json")],
      ],
      [
        "the state bucket name has capitals",
        { state: { backend: "s3", s3: { bucket: "Acme-State" } } },
        [
          problem(
            "state.s3.bucket",
            "an S3 bucket name (3 to 63 lowercase letters, digits, dots or hyphens)",
            '"Acme-State"',
            "use the name of an existing bucket",
          ),
        ],
      ],
      [
        "the cloud state backend has no organization",
        { state: { backend: "cloud", cloud: { workspace: "chat" } } },
        [problem("state.cloud.organization", 'set when state.backend is "cloud"', "null", "give your HCP Terraform organization", "cdktf.json")],
      ],
      [
        "the cloud state backend has both a workspace and workspace tags",
        { state: { backend: "cloud", cloud: { organization: "acme", workspace: "chat", workspaceTags: ["chat"] } } },
        [
          problem(
            "state.cloud.workspace",
            "set, or else state.cloud.workspaceTags, but not both",
            '{"workspace":"chat","workspaceTags":["chat"]}',
            "name one workspace, or select workspaces by tags",
          ),
        ],
      ],
      [
        "the cloud state backend has neither a workspace nor workspace tags",
        { state: { backend: "cloud", cloud: { organization: "acme" } } },
        [
          problem(
            "state.cloud.workspace",
            "set, or else state.cloud.workspaceTags, but not both",
            '{"workspace":null,"workspaceTags":[]}',
            "name one workspace, or select workspaces by tags",
            "cdktf.json",
          ),
        ],
      ],
      [
        "the cloud project name has a trailing space",
        { state: { cloud: { project: "chat " } } },
        [
          problem(
            "state.cloud.project",
            "a project name (1 to 40 letters, digits, spaces, - or _; no leading or trailing space)",
            '"chat "',
            "copy it from HCP Terraform",
          ),
        ],
      ],
      [
        "the emulator target keeps its state in S3",
        { target: { kind: "emulator" }, state: { backend: "s3", s3: { bucket: "acme-state" } } },
        [
          problem(
            "state.backend",
            '"local" when target.kind is "emulator" (nothing but the emulator on 127.0.0.1 is contacted)',
            '"s3"',
            'use state.backend "local" for the emulator, or target.kind "aws" for a remote backend',
          ),
        ],
      ],
      [
        "production turns deletion protection off",
        { environment: "production", chat: { deletionProtection: false } },
        [
          problem(
            "chat.deletionProtection",
            'true or null when environment is "production" (guardrail WSG-LB-002)',
            "false",
            "leave it null (on for production), or deploy under another environment name",
          ),
        ],
      ],
      [
        "a workspace tag has capitals",
        { state: { cloud: { workspaceTags: ["Chat"] } } },
        [problem("state.cloud.workspaceTags", "a list whose every item is a lowercase tag", '["Chat"]', "lowercase the tag")],
      ],
      // alarms
      [
        "an alarm e-mail is given together with an SNS topic",
        { chat: { alarms: { email: "ops@example.com", snsTopicArn: "arn:aws:sns:us-east-1:123456789012:alarms" } } },
        [
          problem(
            "chat.alarms.email",
            "unset when snsTopicArn is given (subscriptions are made on the new topic only)",
            '"ops@example.com"',
            "subscribe the address to your topic yourself, or remove snsTopicArn",
          ),
        ],
      ],
      [
        "the alarm e-mail has no domain",
        { chat: { alarms: { email: "ops@" } } },
        [problem("chat.alarms.email", "an e-mail address", '"ops@"', "fix the address")],
      ],
      // frontend sources
      [
        "the frontend source is unknown",
        { chat: { frontend: { source: "git" } } },
        [problem("chat.frontend.source", 'one of "build", "repository"', '"git"', "use one of the allowed values")],
      ],
      [
        "a git ref is given for the repository-connected frontend",
        { chat: { frontend: { source: "repository", gitRef: "v1.2.0" } } },
        [
          problem(
            "chat.frontend.gitRef",
            '"main" (its default) when chat.frontend.source is "repository": it applies to source "build" only (Amplify builds chat.frontend.branch)',
            '"v1.2.0"',
            'remove it, or set chat.frontend.source to "build"',
          ),
        ],
      ],
      [
        "a build output folder is given for the repository-connected frontend",
        { chat: { frontend: { source: "repository", build: { outputDirectory: "dist" } } } },
        [
          problem(
            "chat.frontend.build.outputDirectory",
            '"out" (its default) when chat.frontend.source is "repository": it applies to source "build" only (Amplify builds with the repository\'s own build settings)',
            '"dist"',
            'remove it, or set chat.frontend.source to "build"',
          ),
        ],
      ],
      [
        "the first Amplify build is turned off for the built frontend",
        { chat: { frontend: { startBuild: false } } },
        [
          problem(
            "chat.frontend.startBuild",
            'true (its default) when chat.frontend.source is "build": it applies to source "repository" only (the build runs on every apply that changes it)',
            "false",
            'remove it, or set chat.frontend.source to "repository"',
          ),
        ],
      ],
      [
        "the frontend's Node.js version is not a major version",
        { chat: { frontend: { build: { nodeVersion: "22.1" } } } },
        [problem("chat.frontend.build.nodeVersion", "a Node.js major version (two digits)", '"22.1"', 'use for example "22"')],
      ],
      [
        "the frontend's output folder leaves the repository",
        { chat: { frontend: { build: { outputDirectory: "../site" } } } },
        [problem("chat.frontend.build.outputDirectory", "a folder relative to the repository root", '"../site"', 'use for example "out" or "dist"')],
      ],
      // Docker Hub access of the image build
      [
        "the Docker Hub access is unknown",
        { chat: { backend: { image: { dockerHub: { kind: "mirror" } } } } },
        [
          problem(
            "chat.backend.image.dockerHub.kind",
            'one of "ecr-public", "anonymous", "login", "pull-through-cache"',
            '"mirror"',
            "use one of the allowed values",
          ),
        ],
      ],
      [
        "Docker Hub login has no credentials secret",
        { chat: { backend: { image: { dockerHub: { kind: "login" } } } } },
        [
          problem(
            "chat.backend.image.dockerHub.credentialsSecretArn",
            'set when dockerHub.kind is "login" (a Docker Hub user\'s {"username", "accessToken"})',
            "null",
            'store a Docker Hub access token in Secrets Manager and give the secret\'s full ARN, or use kind "ecr-public" (no account)',
            "cdktf.json",
          ),
        ],
      ],
      [
        "a Docker Hub credentials secret is given for ECR Public",
        { chat: { backend: { image: { dockerHub: { credentialsSecretArn: DOCKER_SECRET } } } } },
        [
          problem(
            "chat.backend.image.dockerHub.credentialsSecretArn",
            'unset when dockerHub.kind is "ecr-public" (no Docker Hub account is used)',
            `"${DOCKER_SECRET}"`,
            'remove it, or set kind "login" or "pull-through-cache"',
          ),
        ],
      ],
      [
        "the pull through cache secret lacks the ecr-pullthroughcache/ prefix",
        { chat: { backend: { image: { dockerHub: { kind: "pull-through-cache", credentialsSecretArn: DOCKER_SECRET } } } } },
        [
          problem(
            "chat.backend.image.dockerHub.credentialsSecretArn",
            'the full ARN of a Secrets Manager secret named ecr-pullthroughcache/<name> (ECR requires that prefix for a pull through cache rule) when dockerHub.kind is "pull-through-cache"',
            `"${DOCKER_SECRET}"`,
            'store {"username": ..., "accessToken": ...} in a secret named ecr-pullthroughcache/<name> and copy its full ARN',
          ),
        ],
      ],
      [
        "a cache prefix is given without a pull through cache",
        { chat: { backend: { image: { dockerHub: { repositoryPrefix: "hub" } } } } },
        [
          problem(
            "chat.backend.image.dockerHub.repositoryPrefix",
            'unset when dockerHub.kind is "ecr-public" (it names the pull through cache)',
            '"hub"',
            'remove it, or set kind "pull-through-cache"',
          ),
        ],
      ],
      [
        "an existing pull through cache rule is used without its prefix",
        { chat: { backend: { image: { dockerHub: { kind: "pull-through-cache", credentialsSecretArn: CACHE_SECRET, createRule: false } } } } },
        [
          problem(
            "chat.backend.image.dockerHub.repositoryPrefix",
            "set when dockerHub.createRule is false (the prefix of the existing rule to pull through)",
            "null",
            "give the repository prefix of your pull through cache rule for Docker Hub",
            "cdktf.json",
          ),
        ],
      ],
      [
        "the default cache prefix would be longer than ECR allows",
        { environment: "production", chat: { backend: { image: { dockerHub: { kind: "pull-through-cache", credentialsSecretArn: CACHE_SECRET } } } } },
        [
          problem(
            "chat.backend.image.dockerHub.repositoryPrefix",
            'set when the default prefix "chat-production-backend-docker-hub" is longer than ECR\'s 30 characters',
            "null",
            'give a shorter prefix, e.g. "docker-hub"',
            "cdktf.json",
          ),
        ],
      ],
      [
        "the cache prefix has capitals",
        { chat: { backend: { image: { dockerHub: { kind: "pull-through-cache", credentialsSecretArn: CACHE_SECRET, repositoryPrefix: "Hub" } } } } },
        [
          problem(
            "chat.backend.image.dockerHub.repositoryPrefix",
            "an ECR repository prefix of 2 to 30 lowercase letters, digits and . _ - /",
            '"Hub"',
            'use for example "docker-hub"',
          ),
        ],
      ],
      [
        "the Docker Hub secret is not a full secret ARN",
        {
          chat: {
            backend: { image: { dockerHub: { kind: "login", credentialsSecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:docker-hub" } } },
          },
        },
        [
          problem(
            "chat.backend.image.dockerHub.credentialsSecretArn",
            "the full ARN of a Secrets Manager secret (ending in its 6-character suffix)",
            '"arn:aws:secretsmanager:us-east-1:123456789012:secret:docker-hub"',
            'copy the secret\'s ARN from Secrets Manager; it holds {"username": ..., "accessToken": ...}',
          ),
        ],
      ],
      // API Gateway account and table
      [
        "replaceExisting is not a boolean",
        { chat: { apiGatewayAccount: { replaceExisting: "yes" } } },
        [problem("chat.apiGatewayAccount.replaceExisting", "true or false", '"yes"', "write it as true or false")],
      ],
      [
        "the TTL attribute is empty",
        { chat: { table: { ttlAttribute: "" } } },
        [problem("chat.table.ttlAttribute", "1 to 255 characters", '""', "name the TTL attribute")],
      ],
      // issue 17: the project's image runs as a non-root user; goVersion is its own; the stand-in is the emulator's
      [
        "the backend port is below 1024 with the project's Dockerfile (a non-root user cannot listen there)",
        { chat: { backend: { port: 80 } } },
        [
          problem(
            "chat.backend.port",
            "from 1024 to 65535 when chat.backend.image.dockerfile is null (the project's image runs as a non-root user, which cannot listen below 1024)",
            "80",
            'use 8080 (the default), or set chat.backend.image.dockerfile to "Dockerfile" to build the repository\'s own image, which runs as root',
          ),
        ],
      ],
      [
        "goVersion is changed while the repository's Dockerfile is built",
        { chat: { backend: { image: { dockerfile: "Dockerfile", goVersion: "1.27" } } } },
        [
          problem(
            "chat.backend.image.goVersion",
            '"1.26" (its default) when chat.backend.image.dockerfile names the repository\'s Dockerfile (which picks its own Go)',
            '"1.27"',
            "remove it, or set chat.backend.image.dockerfile to null to build with the project's Dockerfile",
          ),
        ],
      ],
      [
        "goVersion is not a Go release",
        { chat: { backend: { image: { goVersion: "1.19.3" } } } },
        [
          problem(
            "chat.backend.image.goVersion",
            "a Go release 1.<minor>, e.g. 1.26",
            '"1.19.3"',
            "pick a release Go still supports (the newest two: https://go.dev/doc/devel/release#policy)",
          ),
        ],
      ],
      // issue 17 §6: what AWS would refuse later, refused at synth
      [
        "a tag holds a character IAM refuses (every IAM role gets the tags)",
        { tags: { "cost#center": "chat" } },
        [
          problem(
            "tags",
            "tag keys and values of letters, digits, spaces and _ . : / = + - @ (IAM's characters)",
            '{"cost#center":"chat"}',
            'change tag "cost#center": IAM roles, which get every tag, refuse other characters',
          ),
        ],
      ],
      [
        "there are more tags than AWS allows beside the stack's own",
        { tags: Object.fromEntries(Array.from({ length: 46 }, (_, i) => [`t${i}`, "x"])) },
        [
          problem(
            "tags",
            "at most 45 tags",
            JSON.stringify(Object.fromEntries(Array.from({ length: 46 }, (_, i) => [`t${i}`, "x"]))),
            "AWS allows 50 tags per resource and the stacks add up to 5 of their own: keep 45 or fewer",
          ),
        ],
      ],
      [
        "the VPC's CIDR block has host bits set (EC2 refuses it)",
        { chat: { network: { cidr: "10.0.1.0/16" } } },
        [problem("chat.network.cidr", "a CIDR block written as its network address (no host bits set)", '"10.0.1.0/16"', "write it as 10.0.0.0/16")],
      ],
      [
        "the table's KMS key is in another region",
        { chat: { table: { kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/0f3e9a1b-1111" } } },
        [
          problem(
            "chat.table.kmsKeyArn",
            "a KMS key in region us-east-1 (the stack's region)",
            '"arn:aws:kms:eu-west-1:123456789012:key/0f3e9a1b-1111"',
            "it is in eu-west-1: give one of region us-east-1",
          ),
        ],
      ],
      [
        "the alarms' SNS topic is in another region",
        { chat: { alarms: { enabled: true, snsTopicArn: "arn:aws:sns:eu-west-1:123456789012:ops" } } },
        [
          problem(
            "chat.alarms.snsTopicArn",
            "an SNS topic in region us-east-1 (the stack's region)",
            '"arn:aws:sns:eu-west-1:123456789012:ops"',
            "it is in eu-west-1: give one of region us-east-1",
          ),
        ],
      ],
      [
        "the custom domain's certificate is in another region (a regional domain takes one of its region)",
        {
          chat: {
            domain: { name: "chat.example.com", certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/0f3e9a1b-1111-2222-3333-444455556666" },
          },
        },
        [
          problem(
            "chat.domain.certificateArn",
            "an ACM certificate in region us-east-1 (the stack's region)",
            '"arn:aws:acm:eu-west-1:123456789012:certificate/0f3e9a1b-1111-2222-3333-444455556666"',
            "it is in eu-west-1: give one of region us-east-1",
          ),
        ],
      ],
      [
        "the state bucket's KMS key is in another region than the bucket",
        {
          state: {
            backend: "s3",
            s3: { bucket: "acme-state", region: "eu-central-1", kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/0f3e9a1b-1111" },
          },
        },
        [
          problem(
            "state.s3.kmsKeyArn",
            "a KMS key in region eu-central-1 (the state bucket's region)",
            '"arn:aws:kms:us-east-1:123456789012:key/0f3e9a1b-1111"',
            "it is in us-east-1: give one of region eu-central-1",
          ),
        ],
      ],
      [
        "replaceExisting is set while the stack leaves the account setting alone",
        { chat: { apiGatewayAccount: { manage: false, replaceExisting: true } } },
        [
          problem(
            "chat.apiGatewayAccount.replaceExisting",
            "false (its default) when chat.apiGatewayAccount.manage is false (the stack leaves the setting alone)",
            "true",
            "remove it, or set manage to true",
          ),
        ],
      ],
      [
        "a role name is given while the stack leaves the account setting alone",
        { chat: { apiGatewayAccount: { manage: false, roleName: "chat-logs" } } },
        [
          problem(
            "chat.apiGatewayAccount.roleName",
            "null (its default) when chat.apiGatewayAccount.manage is false (the stack creates no role)",
            '"chat-logs"',
            "remove it, or set manage to true",
          ),
        ],
      ],
      [
        "a Lambda stand-in is given for the aws target",
        { target: { lambdaStandInEndpoint: "http://127.0.0.1:6000" } },
        [
          problem(
            "target.lambdaStandInEndpoint",
            'null when target.kind is not "emulator" (the stand-in runs in front of the emulator, in tests)',
            '"http://127.0.0.1:6000"',
            'remove it, or set target.kind to "emulator"',
          ),
        ],
      ],
    ];

    test.each(cases)("fails when %s", (_description, overrides, expected) => {
      // GIVEN a config file with one mistake / WHEN it is loaded / THEN exactly that problem is reported
      expect(problemsWith(overrides)).toEqual(expected);
    });

    // production edges (issue 14): custom domain, $connect authorization, per-route throttling
    const ZONE = "Z0123456789ABCDEFGHIJ";
    const FN = "arn:aws:lambda:us-east-1:123456789012:function:chat-auth";
    const CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0f3e9a1b-1111-2222-3333-444455556666";
    const edgeCases: Array<[string, unknown, string[]]> = [
      [
        "a domain has neither certificate nor zone",
        { chat: { domain: { name: "chat.example.com" } } },
        [
          problem(
            "chat.domain.certificateArn",
            "set, or else chat.domain.hostedZoneId, when chat.domain.name is set",
            "null",
            "give the ARN of an issued ACM certificate for chat.example.com in the stack's region, or the Route 53 zone of the domain (a certificate is then requested and validated there)",
            "cdktf.json",
          ),
        ],
      ],
      [
        "a mapping key has a slash",
        { chat: { domain: { name: "chat.example.com", hostedZoneId: ZONE, mappingKey: "v1/chat" } } },
        [
          problem(
            "chat.domain.mappingKey",
            "1 to 300 letters, digits or $-_.+!*'() (WebSocket API mappings have a single level: no slash)",
            '"v1/chat"',
            'use one path segment such as "chat", or no mapping key to serve the stage at the root of the domain',
          ),
        ],
      ],
      [
        "a domain name has capitals and a scheme",
        { chat: { domain: { name: "https://Chat.example.com", hostedZoneId: ZONE } } },
        [
          problem(
            "chat.domain.name",
            "a fully qualified lowercase host name such as ws.example.com (labels of letters, digits and hyphens, no trailing dot)",
            '"https://Chat.example.com"',
            "give the host name clients connect to, in lowercase, without scheme, path or trailing dot",
          ),
        ],
      ],
      [
        "a domain setting is given without the domain name",
        { chat: { domain: { certificateArn: CERT } } },
        [
          problem(
            "chat.domain.certificateArn",
            "null when chat.domain.name is null (there is no custom domain)",
            `"${CERT}"`,
            "set chat.domain.name to the domain clients connect to, or remove this setting",
          ),
        ],
      ],
      [
        "a route limit is 0",
        { chat: { api: { routeThrottle: { message: { rateLimit: 0 } } } } },
        [
          problem(
            "chat.api.routeThrottle",
            "limits greater than 0, the burst limit a whole number",
            '{"message":{"rateLimit":0}}',
            "message.rateLimit: set it above 0: a limit of 0 rejects every call with 429",
          ),
        ],
      ],
      [
        "a throttled route is not a route of the chat",
        { chat: { api: { routeThrottle: { mesage: { burstLimit: 5 } } } } },
        [
          problem(
            "chat.api.routeThrottle",
            'a map whose keys are routes of the API ("$connect", "$disconnect", "username", "message", "online", "$default")',
            '{"mesage":{"burstLimit":5}}',
            '"mesage" is not a route: did you mean "message"?',
          ),
        ],
      ],
      [
        "the authorizer ARN is not a Lambda function",
        { chat: { api: { authorization: { type: "CUSTOM", functionArn: "arn:aws:iam::123456789012:role/auth" } } } },
        [
          problem(
            "chat.api.authorization.functionArn",
            "the ARN of a Lambda function (arn:aws:lambda:<region>:<account>:function:<name>[:<alias>]) or its invocation ARN (arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function ARN>/invocations)",
            '"arn:aws:iam::123456789012:role/auth"',
            "give the ARN of the authorizer function (aws_lambda_function.arn or .invoke_arn), not a role, layer or API ARN",
          ),
        ],
      ],
      [
        "CUSTOM authorization has no function",
        { chat: { api: { authorization: { type: "CUSTOM" } } } },
        [
          problem(
            "chat.api.authorization.functionArn",
            'set when chat.api.authorization.type is "CUSTOM"',
            "null",
            "give the ARN of the Lambda function that authorizes $connect",
            "cdktf.json",
          ),
        ],
      ],
      [
        "an authorizer function is given without CUSTOM",
        { chat: { api: { authorization: { type: "AWS_IAM", functionArn: FN } } } },
        [
          problem(
            "chat.api.authorization.functionArn",
            'null unless chat.api.authorization.type is "CUSTOM"',
            `"${FN}"`,
            'set chat.api.authorization.type to "CUSTOM" to use the function, or remove it',
          ),
        ],
      ],
      [
        "an identity source is a REST API method parameter",
        { chat: { api: { authorization: { type: "CUSTOM", functionArn: FN, identitySources: ["method.request.header.Authorization"] } } } },
        [
          problem(
            "chat.api.authorization.identitySources",
            "a list whose every item is route.request.header.<name>, route.request.querystring.<name>, stageVariables.<name> or context.<name>",
            '["method.request.header.Authorization"]',
            'replace "method.request.header.Authorization": use for example "route.request.querystring.token" (browsers cannot send headers when they open a WebSocket) or "route.request.header.Authorization"',
          ),
        ],
      ],
      [
        "a credentials role is given without CUSTOM",
        { chat: { api: { authorization: { credentialsRoleArn: "arn:aws:iam::123456789012:role/invoke" } } } },
        [
          problem(
            "chat.api.authorization.credentialsRoleArn",
            'null unless chat.api.authorization.type is "CUSTOM"',
            '"arn:aws:iam::123456789012:role/invoke"',
            "it is the role API Gateway assumes to call the authorizer function; remove it",
          ),
        ],
      ],
    ];

    test.each(edgeCases)("fails when %s", (_description, overrides, expected) => {
      expect(problemsWith(overrides)).toEqual(expected);
    });

    test("covers at least 35 distinct bad inputs", () => {
      expect(new Set(cases.map(([, o]) => JSON.stringify(o))).size).toBeGreaterThanOrEqual(35);
    });
  });

  describe("secrets", () => {
    const secretProblem = (key: string) => problem(key, "free of secrets", '"<redacted>"', SECRET_FIX(key));

    test("fails when a GitHub classic token is in a tag, without printing it", () => {
      // GIVEN
      const file = { tags: { Owner: FAKE.classicToken } };
      // WHEN
      const error = configError(() => settingsWith(file));
      // THEN
      expect(error.problems.map((p) => p.message)).toEqual([secretProblem("tags")]);
      expect(error.message).not.toContain(FAKE.classicToken);
    });

    test("fails when a fine-grained GitHub token is in a setting, without printing it", () => {
      const error = configError(() => settingsWith({ chat: { api: { name: FAKE.fineGrainedToken } } }));
      expect(error.problems.map((p) => p.message)).toEqual([secretProblem("chat.api.name")]);
      expect(error.message).not.toContain(FAKE.fineGrainedToken);
    });

    test("fails when an AWS access key id is in a setting, without printing it", () => {
      const error = configError(() => settingsWith({ state: { s3: { keyPrefix: FAKE.accessKeyId } } }));
      expect(error.problems.map((p) => p.message)).toEqual([secretProblem("state.s3.keyPrefix")]);
      expect(error.message).not.toContain(FAKE.accessKeyId);
    });

    test("fails when a token is in a list, without printing it", () => {
      const token = FAKE.classicToken.toLowerCase();
      const error = configError(() => settingsWith({ state: { cloud: { workspaceTags: ["chat", token] } } }));
      expect(error.problems.map((p) => p.message)).toEqual([secretProblem("state.cloud.workspaceTags")]);
      expect(error.message).not.toContain(token);
    });

    test("fails when a token comes from an environment variable, without printing it", () => {
      const error = configError(() => settingsWith({}, { WSGW_IMAGE_TAG: FAKE.classicToken }));
      expect(error.problems.map((p) => p.message)).toEqual([
        problem("chat.backend.image.tag", "free of secrets", '"<redacted>"', SECRET_FIX("chat.backend.image.tag"), "environment variable WSGW_IMAGE_TAG"),
      ]);
      expect(error.message).not.toContain(FAKE.classicToken);
    });

    test("fails when a key is named like a secret (chat.frontend.githubToken), without printing its value", () => {
      // GIVEN
      const file = { chat: { frontend: { githubToken: "not-even-a-token-shape" } } };
      // WHEN
      const error = configError(() => settingsWith(file));
      // THEN
      expect(error.problems.map((p) => p.message)).toEqual([
        problem("chat.frontend.githubToken", "absent: secrets never go in configuration", '"<redacted>"', SECRET_FIX("chat.frontend.githubToken")),
      ]);
      expect(error.message).not.toContain("not-even-a-token-shape");
    });

    test.each([["password"], ["awsSecretAccessKey"], ["accessKey"], ["apiToken"]])("fails when a key is named %s, without printing its value", (name) => {
      const error = configError(() => settingsWith({ chat: { backend: { [name]: "hunter2-value" } } }));
      expect(error.problems.map((p) => p.key)).toEqual([`chat.backend.${name}`]);
      expect(error.problems[0].message).toContain("absent: secrets never go in configuration");
      expect(error.message).not.toContain("hunter2-value");
    });

    test("fails when a token is in a setting whose own rule also fails, without printing it", () => {
      const inUrl = configError(() => settingsWith({ chat: { frontend: { repositoryUrl: `https://${FAKE.classicToken}@github.com/acme/chat` } } }));
      expect(inUrl.message).not.toContain(FAKE.classicToken);
      const asPort = configError(() => settingsWith({ chat: { backend: { port: FAKE.accessKeyId } } }));
      expect(asPort.message).not.toContain(FAKE.accessKeyId);
    });

    test("fails when a token is nested deep in a value of the wrong type, without printing it", () => {
      for (const file of [{ tags: { a: { b: FAKE.classicToken } } }, { chat: { network: { privateSubnetIds: [[FAKE.classicToken]] } } }]) {
        const error = configError(() => settingsWith(file));
        expect(error.message).not.toContain(FAKE.classicToken.slice(0, 12));
        expect(error.message).toContain('"<redacted>"');
      }
    });

    test("suggests the right key for a misplaced secret ARN instead of calling it a secret", () => {
      const [message] = problemsWith({ chat: { backend: { tokenSecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:gh-AbCdEf" } } });
      expect(message).toMatch(/^chat\.backend\.tokenSecretArn is not a setting \(from test\.json\): did you mean chat\.frontend\.tokenSecretArn\?/);
    });

    test("fails when a secret-named key holds a token, reporting it once", () => {
      const error = configError(() => settingsWith({ chat: { frontend: { githubToken: FAKE.classicToken } } }));
      expect(error.problems).toHaveLength(1);
    });
  });

  describe("every problem at once", () => {
    test("fails when five settings are bad, listing all five in one error", () => {
      // GIVEN
      const file = { region: "mars", environment: "Prod", chat: { backend: { port: 0, cpu: 3 }, api: { logRetentionDays: 2 } } };
      // WHEN
      const error = configError(() => settingsWith(file));
      // THEN
      expect(error.problems.map((p) => p.key)).toEqual(["region", "environment", "chat.backend.port", "chat.backend.cpu", "chat.api.logRetentionDays"]);
      expect(error.message.split("\n")[0]).toBe("The configuration has 5 problems; nothing was synthesized:");
      expect(error.message.split("\n").slice(1)).toEqual(error.problems.map((p) => `  - ${p.message}`));
    });

    test("fails when an unknown key, a wrong type and a bad value come together, listing all three", () => {
      const problems = problemsWith({ chat: { backend: { prot: 80, cpu: "256", tracing: "zipkin" } } });
      expect(problems).toHaveLength(3);
      expect(problems[0]).toMatch(/^chat\.backend\.prot is not a setting/);
      expect(problems[1]).toMatch(/^chat\.backend\.cpu must be a whole number, got "256"/);
      expect(problems[2]).toMatch(/^chat\.backend\.tracing must be one of/);
    });

    test("fails when several cross-setting rules are broken, listing each", () => {
      const problems = problemsWith({
        chat: {
          backend: { memory: 4096, autoScaling: { minCapacity: 5, maxCapacity: 3 } },
          alarms: { email: "a@b.co", snsTopicArn: "arn:aws:sns:us-east-1:123456789012:t" },
        },
        state: { backend: "s3" },
      });
      expect(problems.map((p) => p.split(" ")[0])).toEqual([
        "chat.backend.memory",
        "chat.backend.autoScaling.maxCapacity",
        "state.s3.bucket",
        "chat.alarms.email",
      ]);
    });

    test("fails when cross-setting rules read settings that are bad themselves, still listing every rule that can be judged", () => {
      const problems = problemsWith({
        chat: { network: { availabilityZones: ["us-east-1a"] }, backend: { desiredCount: 1, autoScaling: { minCapacity: 5, maxCapacity: 3 } } },
      });
      expect(problems.map((p) => p.split(" ")[0])).toEqual([
        "chat.backend.desiredCount",
        "chat.backend.autoScaling.maxCapacity",
        "chat.network.availabilityZones",
      ]);
      const withBadRegion = problemsWith({ region: "nope", chat: { network: { availabilityZones: ["us-east-1a"] } } });
      expect(withBadRegion.map((p) => p.split(" ")[0])).toEqual(["region", "chat.network.availabilityZones"]);
    });

    test("fails when a single-setting and a cross-setting problem come together, listing both", () => {
      const problems = problemsWith({ chat: { backend: { port: 0, autoScaling: { minCapacity: 4, maxCapacity: 3 } } } });
      expect(problems.map((p) => p.split(" ")[0])).toEqual(["chat.backend.port", "chat.backend.autoScaling.maxCapacity"]);
    });
  });

  describe("layers", () => {
    test("fails when the config file is not an object", () => {
      expect(problemsWith([1])).toEqual(["test.json must be a JSON object of settings, got [1]: wrap the settings in { }"]);
    });

    test("fails when the defaults lack a setting", () => {
      // GIVEN defaults without chat.alarms.email
      const defaults = JSON.parse(JSON.stringify(defaultSettingsSource()));
      delete defaults.chat.alarms.email;
      // WHEN / THEN
      expect(configProblems(() => resolveSettings({ defaults, defaultsOrigin: "cdktf.json" }))).toEqual([
        "chat.alarms.email must be set, got nothing: add it to cdktf.json's context.settings (the committed defaults)",
      ]);
    });

    test("fails when a section is not an object, naming the value and what is allowed", () => {
      const [message] = problemsWith({ chat: { network: "default" } });
      expect(message).toMatch(/^chat\.network must be an object.*, got "default" \(from test\.json\)/);
    });
  });

  describe("environment variables", () => {
    test("win over the config file, which wins over cdktf.json", () => {
      // GIVEN
      const file = { region: "eu-west-1", environment: "qa" };
      // WHEN
      const fromDefaults = settingsWith({});
      const fromFile = settingsWith(file);
      const fromEnv = settingsWith(file, { WSGW_REGION: "eu-central-1", WSGW_ENVIRONMENT: "stage" });
      // THEN
      expect([fromDefaults.region, fromFile.region, fromEnv.region]).toEqual(["us-east-1", "eu-west-1", "eu-central-1"]);
      expect([fromDefaults.environment, fromFile.environment, fromEnv.environment]).toEqual(["dev", "qa", "stage"]);
    });

    test("override the image tag, the target and the emulator endpoint", () => {
      const s = settingsWith(
        { chat: { backend: { image: { tag: "v2" } } }, target: { kind: "aws" } },
        { WSGW_IMAGE_TAG: "v3", WSGW_TARGET: "emulator", WSGW_EMULATOR_ENDPOINT: "http://127.0.0.1:4566" },
      );
      expect(s.chat.backend.image.tag).toBe("v3");
      expect(s.target).toEqual({ kind: "emulator", emulatorEndpoint: "http://127.0.0.1:4566", lambdaStandInEndpoint: null });
    });

    test("are ignored when empty", () => {
      expect(settingsWith({ region: "eu-west-1" }, { WSGW_REGION: "" }).region).toBe("eu-west-1");
    });

    test("are read only when documented", () => {
      expect(settingsWith({}, { WSGW_CHAT_NAME: "other", AWS_REGION: "eu-west-1" })).toMatchObject({ region: "us-east-1", chat: { name: "chat" } });
    });

    test("keep numeric-looking values of string settings as strings", () => {
      expect(settingsWith({}, { WSGW_IMAGE_TAG: "20240101" }).chat.backend.image.tag).toBe("20240101");
    });

    test("fails when an environment variable is bad, naming the variable as the origin", () => {
      expect(problemsWith({}, { WSGW_REGION: "bad" })).toEqual([
        problem("region", "an AWS region code", '"bad"', 'use for example "us-east-1" or "eu-central-1"', "environment variable WSGW_REGION"),
      ]);
      expect(problemsWith({}, { WSGW_TARGET: "EMULATOR" })).toEqual([
        problem("target.kind", 'one of "aws", "emulator"', '"EMULATOR"', "use one of the allowed values", "environment variable WSGW_TARGET"),
      ]);
      expect(problemsWith({}, { WSGW_IMAGE_TAG: "latest" })).toEqual([
        problem(
          "chat.backend.image.tag",
          'an immutable tag, not "latest"',
          '"latest"',
          "tags are immutable here: use a version or a commit SHA",
          "environment variable WSGW_IMAGE_TAG",
        ),
      ]);
      expect(problemsWith({}, { WSGW_EMULATOR_ENDPOINT: "http://192.168.1.10:5000" })[0]).toMatch(
        /^target\.emulatorEndpoint must be .*\(from environment variable WSGW_EMULATOR_ENDPOINT\)/,
      );
    });

    describe("coercion of numbers and booleans", () => {
      // No documented WSGW_* variable is a number or a boolean today, so the
      // coercion is exercised by binding test variables to such settings.
      function withEnvBinding<T>(bindings: Record<string, string>, run: () => T): T {
        const saved = new Map<Field, string | undefined>();
        try {
          for (const [key, env] of Object.entries(bindings)) {
            const field = FIELD_BY_KEY.get(key)!;
            saved.set(field, field.env);
            (field as { env?: string }).env = env;
          }
          return run();
        } finally {
          for (const [field, env] of saved) (field as { env?: string }).env = env;
        }
      }
      const bindings = {
        "chat.backend.port": "WSGW_TEST_PORT",
        "chat.api.autoDeploy": "WSGW_TEST_AUTO_DEPLOY",
        "chat.api.throttle.rateLimit": "WSGW_TEST_RATE",
      };

      test("turns numbers and booleans given as text into numbers and booleans", () => {
        const s = withEnvBinding(bindings, () => settingsWith({}, { WSGW_TEST_PORT: "8080", WSGW_TEST_AUTO_DEPLOY: "false", WSGW_TEST_RATE: "12.5" }));
        expect(s.chat.backend.port).toBe(8080);
        expect(s.chat.api.autoDeploy).toBe(false);
        expect(s.chat.api.throttle.rateLimit).toBe(12.5);
      });

      test("fails when an environment number or boolean does not parse", () => {
        const problems = withEnvBinding(bindings, () => problemsWith({}, { WSGW_TEST_PORT: "eighty", WSGW_TEST_AUTO_DEPLOY: "yes" }));
        expect(problems).toEqual([
          problem("chat.backend.port", "a whole number", '"eighty"', "write it as a whole number", "environment variable WSGW_TEST_PORT"),
          problem("chat.api.autoDeploy", "true or false", '"yes"', "write it as true or false", "environment variable WSGW_TEST_AUTO_DEPLOY"),
        ]);
      });

      test("does not coerce numbers written as text in the config file", () => {
        expect(problemsWith({ chat: { backend: { port: "8080" } } })).toEqual([
          problem("chat.backend.port", "a whole number", '"8080"', "write it as a whole number"),
        ]);
      });
    });
  });

  test("fails when the emulator endpoint port is above 65535", () => {
    expect(problemsWith({ target: { emulatorEndpoint: "http://127.0.0.1:99999" } })).toHaveLength(1);
  });
});

describe("configFileFromArgs", () => {
  test("reads --config <file> and --config=<file>", () => {
    expect(configFileFromArgs(["node", "main.ts", "--config", "prod.json"])).toBe("prod.json");
    expect(configFileFromArgs(["node", "main.ts", "--config=prod.json"])).toBe("prod.json");
    expect(configFileFromArgs(["node", "main.ts"])).toBeUndefined();
  });

  test("fails when --config is given twice", () => {
    expect(configProblems(() => configFileFromArgs(["--config", "a.json", "--config=b.json"]))).toEqual([
      '--config must be given once, got "a.json" and "b.json": merge the settings into one file',
    ]);
  });
});

describe("loadSettings", () => {
  /** A project folder with the project's cdktf.json and the given files. */
  function project(files: Record<string, string> = {}): string {
    const dir = tempDir("project-");
    fs.copyFileSync(path.join(PROJECT_DIR, "cdktf.json"), path.join(dir, "cdktf.json"));
    for (const [name, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), text);
    }
    return dir;
  }
  const prodConfig = JSON.stringify({ environment: "prod", region: "eu-west-1" });

  test("uses the cdktf.json defaults without a config file", () => {
    const s = loadSettings({ projectDir: project(), argv: [], env: {} });
    expect(s).toEqual(settingsWith({}));
  });

  test("reads the file given with --config <file>, relative to the project folder", () => {
    const s = loadSettings({ projectDir: project({ "config/prod.json": prodConfig }), argv: ["--config", "config/prod.json"], env: {} });
    expect([s.environment, s.region]).toEqual(["prod", "eu-west-1"]);
  });

  test("reads the file given with --config=<file>", () => {
    const s = loadSettings({ projectDir: project({ "prod.json": prodConfig }), argv: ["--config=prod.json"], env: {} });
    expect(s.environment).toBe("prod");
  });

  test("reads the file named by WSGW_CONFIG", () => {
    const s = loadSettings({ projectDir: project({ "prod.json": prodConfig }), argv: [], env: { [CONFIG_ENV]: "prod.json" } });
    expect(s.environment).toBe("prod");
  });

  test("reads an absolute path", () => {
    const dir = project({ "prod.json": prodConfig });
    expect(loadSettings({ projectDir: dir, argv: ["--config", path.join(dir, "prod.json")], env: {} }).environment).toBe("prod");
  });

  test("prefers --config over WSGW_CONFIG, and WSGW_* variables over both", () => {
    const dir = project({ "prod.json": prodConfig, "qa.json": JSON.stringify({ environment: "qa" }) });
    expect(loadSettings({ projectDir: dir, argv: ["--config", "prod.json"], env: { [CONFIG_ENV]: "qa.json" } }).environment).toBe("prod");
    expect(loadSettings({ projectDir: dir, argv: ["--config", "prod.json"], env: { [CONFIG_ENV]: "qa.json", WSGW_ENVIRONMENT: "ci" } }).environment).toBe("ci");
  });

  test("fails when the config file does not exist", () => {
    const error = configError(() => loadSettings({ projectDir: project(), argv: ["--config", "missing.json"], env: {} }));
    expect(error.problems.map((p) => p.message)).toEqual([
      'config file must be a readable JSON file, got "missing.json": check the path given with --config or WSGW_CONFIG',
    ]);
  });

  test("fails when the config file is not valid JSON", () => {
    const error = configError(() =>
      loadSettings({ projectDir: project({ "bad.json": '{ "region": "eu-west-1", }' }), argv: ["--config", "bad.json"], env: {} }),
    );
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0].message).toMatch(/^config file must be valid JSON, got "bad\.json" \(.+\): fix the syntax$/);
  });

  test("fails when the config file is not valid JSON, naming the line and column without quoting the file", () => {
    // GIVEN a token pasted without quotes on line 2
    const text = `{\n  "branch": ${FAKE.classicToken}\n}`;
    // WHEN
    const error = configError(() => loadSettings({ projectDir: project({ "bad.json": text }), argv: ["--config", "bad.json"], env: {} }));
    // THEN
    expect(error.message).not.toContain(FAKE.classicToken.slice(0, 6));
    expect(error.problems[0].message).toMatch(/^config file must be valid JSON, got "bad\.json" \(Unexpected token[^"]*\): fix the syntax$/);
  });

  test("fails when the config file has a bad setting, naming the file as the origin", () => {
    const error = configError(() =>
      loadSettings({ projectDir: project({ "prod.json": JSON.stringify({ chat: { backend: { port: 0 } } }) }), argv: ["--config=prod.json"], env: {} }),
    );
    expect(error.problems.map((p) => p.message)).toEqual([problem("chat.backend.port", "from 1 to 65535", "0", "use a TCP port", "prod.json")]);
  });

  test("fails when cdktf.json holds a bad default, naming cdktf.json as the origin", () => {
    // GIVEN
    const dir = project();
    const cdktf = JSON.parse(fs.readFileSync(path.join(dir, "cdktf.json"), "utf8"));
    cdktf.context.settings.chat.backend.port = -1;
    fs.writeFileSync(path.join(dir, "cdktf.json"), JSON.stringify(cdktf));
    // WHEN / THEN
    expect(configProblems(() => loadSettings({ projectDir: dir, argv: [], env: {} }))).toEqual([
      problem("chat.backend.port", "from 1 to 65535", "-1", "use a TCP port", "cdktf.json"),
    ]);
  });

  test("fails when --config is given without a file name", () => {
    const dir = project();
    expect(() => loadSettings({ projectDir: dir, argv: ["--config"], env: {} })).toThrow(ConfigError);
    expect(() => loadSettings({ projectDir: dir, argv: ["--config="], env: {} })).toThrow(ConfigError);
  });

  /** A project whose cdktf.json holds `settings` as its context.settings. */
  function projectWithSettings(settings: unknown): string {
    const dir = project();
    const cdktf = JSON.parse(fs.readFileSync(path.join(dir, "cdktf.json"), "utf8"));
    cdktf.context.settings = settings;
    fs.writeFileSync(path.join(dir, "cdktf.json"), JSON.stringify(cdktf));
    return dir;
  }

  test("takes every setting cdktf.json does not give from the schema's defaults", () => {
    // GIVEN cdktf.json with the image tag only (the one setting without a built-in default)
    const dir = projectWithSettings({ chat: { backend: { image: { tag: "v7" } } } });
    // WHEN
    const s = loadSettings({ projectDir: dir, argv: [], env: {} });
    // THEN
    expect(s.chat.backend.image.tag).toBe("v7");
    expect(s.tags).toEqual({});
    expect(s.chat.backend).toMatchObject({ port: 8080, cpu: 256, memory: 512 });
  });

  test('fails naming "defaults" as the origin of a value that comes from the schema', () => {
    const dir = project({ "vpc.json": JSON.stringify({ chat: { network: { vpcId: VPC } } }) });
    expect(configProblems(() => loadSettings({ projectDir: dir, argv: ["--config", "vpc.json"], env: {} }))).toEqual([
      problem(
        "chat.network.privateSubnetIds",
        "at least two subnets (in different Availability Zones) when vpcId is set",
        "[]",
        "list the private subnets of the VPC",
        "defaults",
      ),
    ]);
  });

  test("fails when neither cdktf.json, the config file nor the environment gives the image tag", () => {
    expect(configProblems(() => loadSettings({ projectDir: projectWithSettings({}), argv: [], env: {} }))).toEqual([
      "chat.backend.image.tag must be set, got nothing: add it to cdktf.json's context.settings (the committed defaults)",
    ]);
    expect(loadSettings({ projectDir: projectWithSettings({}), argv: [], env: { WSGW_IMAGE_TAG: "v8" } }).chat.backend.image.tag).toBe("v8");
  });

  test("fails when cdktf.json's context.settings is not an object", () => {
    expect(configProblems(() => loadSettings({ projectDir: projectWithSettings(["v1"]), argv: [], env: { WSGW_IMAGE_TAG: "v8" } }))).toEqual([
      'cdktf.json must be a JSON object of settings, got ["v1"]: wrap the settings in { }',
    ]);
  });
});

describe("committedDefaults", () => {
  test("puts the project's values over the schema's defaults setting by setting, maps as a whole", () => {
    const defaults = committedDefaults({ tags: { Team: "chat" }, chat: { backend: { port: 9090 } } });
    expect(defaults.tags).toEqual({ Team: "chat" });
    expect(defaults).toMatchObject({ region: "us-east-1", chat: { backend: { port: 9090, cpu: 256 } } });
  });

  test("leaves out what has no built-in default and no project value", () => {
    expect((builtInDefaults() as any).chat.backend.image.tag).toBeUndefined();
    expect((committedDefaults(undefined) as any).chat.backend.image).toMatchObject({ dockerfile: null, goVersion: "1.26" });
  });
});
