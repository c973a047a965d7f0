import { TerraformVariable, Testing } from "cdktf";
import { z } from "zod";
import {
  API_DESCRIPTION,
  API_GATEWAY_ACCOUNT_ROLE,
  API_NAME,
  CREDENTIAL_PATTERNS,
  CUSTOM_ROUTE_KEY,
  defineRule,
  ELB_NAME,
  findSecret,
  holdsSecret,
  HEALTH_CHECK_PATH,
  INTEGRATION_TIMEOUT,
  LOAD_BALANCER_SECURITY_GROUP_IDS,
  LOAD_BALANCER_SUBNET_IDS,
  GO_VERSION,
  inRegion,
  SECURITY_GROUP_IDS,
  SUBNET_IDS,
  TAGS_VARIABLE,
  UNPRIVILEGED_PORT,
  VPC_CIDR,
  LOG_RETENTION,
  LOGGING_LEVEL,
  pattern,
  PORT,
  range,
  Rule,
  ROUTE_SELECTION_EXPRESSION,
  sameInRe2,
  SECRET_PATTERNS,
  show,
  STAGE_NAME,
  THROTTLE_BURST_LIMIT,
  THROTTLE_RATE_LIMIT,
  VPC_ID,
  VPC_LINK_NAME,
} from "../../constructs/rules";
import {
  API_MAPPING_KEY,
  AUTHORIZER_CONTEXT_HEADERS,
  DOMAIN_NAME,
  HOSTED_ZONE_ID,
  IDENTITY_SOURCE,
  IDENTITY_SOURCES,
  routeThrottles,
} from "../../constructs/rules";
import { APP_CONTEXT } from "../../stacks/app";
import { EDGE_COLLECTION_SAMPLES, EDGE_RULE_SAMPLES } from "../support/edge-rule-samples";
import { WebSocketAlbStack } from "../../stacks/websocket-alb-stack";
import { WebSocketNlbStack } from "../../stacks/websocket-nlb-stack";
import { newStack, synthJson } from "../helpers";
import { FAKE } from "../stacks/support";

describe("Rule", () => {
  test("checks a construct prop in the house format, with the type noun", () => {
    expect(() => PORT.check("Thing.port", 0)).toThrow("Thing.port must be a whole number from 1 to 65535, got 0: use a TCP port");
    expect(() => PORT.check("Thing.port", 80)).not.toThrow();
  });

  test("does not check undefined or values Terraform resolves later", () => {
    const stack = newStack();
    expect(() => PORT.check("Thing.port", undefined)).not.toThrow();
    expect(() => PORT.check("Thing.port", new TerraformVariable(stack, "p", { type: "number" }).numberValue)).not.toThrow();
    expect(() => STAGE_NAME.check("Thing.stage", new TerraformVariable(stack, "s", { type: "string" }).stringValue)).not.toThrow();
  });

  test("names the first clause a value breaks, with a fix written from the value", () => {
    expect(ELB_NAME.explain("x".repeat(34))).toEqual({
      rule: "1 to 32 characters long",
      fix: "shorten it by 2 character(s): Elastic Load Balancing limits names to 32",
    });
    expect(ELB_NAME.explain("a_b")).toEqual({ rule: "made of letters, digits and hyphens only", fix: 'remove or replace "_"' });
    expect(ELB_NAME.explain("chat-nlb")).toBeUndefined();
  });

  test("leaves out the type noun and type-only clauses where the type was checked first (the settings schema)", () => {
    expect(PORT.explain(0, true)).toEqual({ rule: "from 1 to 65535", fix: "use a TCP port" });
    expect(THROTTLE_BURST_LIMIT.explain(0)).toEqual({ rule: "a number greater than 0", fix: "a limit of 0 rejects every call with 429" });
    expect(THROTTLE_BURST_LIMIT.explain(1.5)).toEqual({ rule: "a whole number", fix: "round it" });
    expect(THROTTLE_BURST_LIMIT.explain(1.5, true)).toBeUndefined();
  });

  test("refines a zod schema with one custom issue holding the rule and the fix, and lets null through", () => {
    const schema = z.string().nullable().superRefine(STAGE_NAME.refine);
    const result = schema.safeParse("prod stage");
    expect(result.success).toBe(false);
    expect(result.error!.issues).toEqual([
      expect.objectContaining({ code: "custom", message: "1 to 128 letters, digits, hyphens or underscores", params: { fix: 'use for example "prod"' } }),
    ]);
    expect(schema.safeParse(null).success).toBe(true);
    expect(schema.safeParse("prod").success).toBe(true);
  });

  test("says the same rule in other words where a place pins them, keeping the condition", () => {
    const reworded = STAGE_NAME.with({ fix: "pick another" });
    expect(() => reworded.check("S.stageName", "a b")).toThrow('S.stageName must be 1 to 128 letters, digits, hyphens or underscores, got "a b": pick another');
    expect(reworded.condition("var.s")).toBe(STAGE_NAME.condition("var.s"));
  });

  test("shows a long value cut to its start where the rule says so", () => {
    expect(() => API_DESCRIPTION.check("Api.description", "d".repeat(1025))).toThrow(
      `Api.description must be at most 1024 characters, got "${"d".repeat(40)}...": shorten the description`,
    );
  });

  test("counts characters as Terraform's length() does (an accent written as a second code point is one character)", () => {
    expect(API_NAME.test("e\u0301".repeat(128))).toBe(true);
    expect(API_NAME.test("x".repeat(129))).toBe(false);
  });

  test("fails when a rule's fix depends on the value and no summary gives a fixed one", () => {
    expect(() => defineRule<string>({ clauses: [{ rule: "r", fix: (v) => v, test: () => true }] })).toThrow(/computes its fix from the value/);
  });

  test("fails when a Terraform condition is asked of a rule that has none", () => {
    const jsOnly = pattern("^(?!x)", "not x", "drop the x");
    expect(jsOnly.hasCondition).toBe(false);
    expect(() => jsOnly.hcl("v")).toThrow('rule "not x" has no Terraform condition for "not x"');
  });
});

describe("Rule.hcl", () => {
  test("writes a validation block in the house format, showing the value and ending with a period", () => {
    expect(PORT.hcl("fargate_port")).toEqual({
      condition: "${var.fargate_port >= 1 && var.fargate_port <= 65535 && floor(var.fargate_port) == var.fargate_port}",
      errorMessage: "fargate_port must be a whole number from 1 to 65535, got ${jsonencode(var.fargate_port)}: use a TCP port.",
    });
  });

  test("lets null through with || where the condition reads the value only inside can(), else with a conditional", () => {
    expect(ELB_NAME.hcl("nlb_name", { nullable: true }).condition).toBe(
      '${var.nlb_name == null || can(regex("^[A-Za-z0-9]([A-Za-z0-9-]{0,30}[A-Za-z0-9])?$", var.nlb_name)) && !can(regex("^(?i)internal-", var.nlb_name))}',
    );
    expect(VPC_LINK_NAME.hcl("vpc_link_name", { nullable: true }).condition).toBe(
      "${var.vpc_link_name == null ? true : length(var.vpc_link_name) >= 1 && length(var.vpc_link_name) <= 255}",
    );
  });

  test('keeps "${" in rule words literal in the message', () => {
    const rule = pattern("^a$", "like ${x}", "fix ${y}");
    expect(rule.hcl("v").errorMessage).toBe("v must be like $${x}, got ${jsonencode(var.v)}: fix $${y}.");
  });

  // The module variables take their validation from the rules: the same
  // condition and the same words as the constructs' checks.
  describe("wired into the module variables", () => {
    const app = Testing.app({ context: APP_CONTEXT });
    const variables: Record<string, any> = { nlb: synthJson(new WebSocketNlbStack(app)).variable, alb: synthJson(new WebSocketAlbStack(app)).variable };
    const hcl = (rule: Rule<unknown>, name: string, nullable = false) => {
      const v = rule.hcl(name, { nullable });
      return { condition: v.condition, error_message: v.errorMessage };
    };
    test.each([
      ["nlb", "stage_name", STAGE_NAME],
      ["nlb", "api_name", API_NAME],
      ["nlb", "api_description", API_DESCRIPTION],
      ["nlb", "route_selection_expression", ROUTE_SELECTION_EXPRESSION],
      ["nlb", "fargate_port", PORT],
      ["nlb", "api_gateway_account_role", API_GATEWAY_ACCOUNT_ROLE],
      ["nlb", "log_retention_days", LOG_RETENTION],
      ["nlb", "throttling_burst_limit", THROTTLE_BURST_LIMIT],
      ["nlb", "throttling_rate_limit", THROTTLE_RATE_LIMIT],
      ["nlb", "integration_timeout_milliseconds", INTEGRATION_TIMEOUT],
      ["nlb", "vpc_link_name", VPC_LINK_NAME],
      ["nlb", "vpc_id", VPC_ID],
      ["nlb", "nlb_name", ELB_NAME],
      ["nlb", "target_group_name", ELB_NAME],
      ["nlb", "health_check_path", HEALTH_CHECK_PATH],
      ["alb", "stage_name", STAGE_NAME],
      ["alb", "health_check_path", HEALTH_CHECK_PATH],
    ] as const)("%s module: %s", (stack, name, rule) => {
      expect(variables[stack][name].validation).toEqual([hcl(rule as Rule<unknown>, name)]);
    });
    test.each([
      ["nlb", "nlb_subnet_ids", [LOAD_BALANCER_SUBNET_IDS, SUBNET_IDS]],
      ["nlb", "vpc_link_subnet_ids", [LOAD_BALANCER_SUBNET_IDS, SUBNET_IDS]],
      ["nlb", "vpc_link_security_group_ids", [LOAD_BALANCER_SECURITY_GROUP_IDS, SECURITY_GROUP_IDS]],
      ["alb", "vpc_link_subnet_ids", [LOAD_BALANCER_SUBNET_IDS, SUBNET_IDS]],
      ["alb", "vpc_link_security_group_ids", [LOAD_BALANCER_SECURITY_GROUP_IDS, SECURITY_GROUP_IDS]],
      ["nlb", "tags", [TAGS_VARIABLE]],
      ["alb", "tags", [TAGS_VARIABLE]],
    ] as const)("%s module: %s, every rule", (stack, name, rules) => {
      expect(variables[stack][name].validation).toEqual(rules.map((r) => hcl(r as Rule<unknown>, name)));
    });
    test("alb module: alb_listener_port, null allowed (looked up from the listener)", () => {
      expect(variables.alb.alb_listener_port.validation).toEqual([hcl(PORT as Rule<unknown>, "alb_listener_port", true)]);
    });
    test("nlb module: logging_level, null allowed (the default, ERROR when the stage logs)", () => {
      expect(variables.nlb.logging_level.validation).toEqual([hcl(LOGGING_LEVEL as Rule<unknown>, "logging_level", true)]);
    });
    test.each([
      ["vpc_id", VPC_ID],
      ["nlb_name", ELB_NAME],
      ["target_group_name", ELB_NAME],
    ] as const)("alb module: %s, null allowed", (name, rule) => {
      expect(variables.alb[name].validation).toEqual([hcl(rule as Rule<unknown>, name, true)]);
    });
  });

  test("gives the integration timeout the whole-number check the construct makes", () => {
    expect(INTEGRATION_TIMEOUT.hcl("integration_timeout_milliseconds").condition).toBe(
      "${var.integration_timeout_milliseconds >= 50 && var.integration_timeout_milliseconds <= 29000 && floor(var.integration_timeout_milliseconds) == var.integration_timeout_milliseconds}",
    );
  });

  test("gives a custom route key the three clauses of the construct as one RE2 pattern", () => {
    expect(CUSTOM_ROUTE_KEY.condition("k")).toBe('can(regex("^[!-#%-~]([ -~]{0,126}[!-~])?$", k))');
  });
});

describe("sameInRe2", () => {
  test("accepts the syntax both engines read alike", () => {
    for (const source of ["^[A-Za-z0-9_-]{1,128}$", "^/[\\x21-\\x7E]{0,100}$", "^(?i)internal-", "^a(?:b|c)\\d{2}$", "^[^.]+$"])
      expect([source, sameInRe2(source, "u")]).toEqual([source, true]);
  });

  test("refuses lookaround, backreferences, \\s, \\b, \\u, '.' outside a class, repeats above 1000 and flags other than u", () => {
    for (const source of ["^(?!x)", "(?<=a)b", "(a)\\1", "\\s", "\\bx", "\\u0041", "a.b"]) expect([source, sameInRe2(source, "u")]).toEqual([source, false]);
    expect(sameInRe2("^a$", "")).toBe(false);
    expect(sameInRe2("^a$", "iu")).toBe(false);
    expect(sameInRe2("^/[!-~]{0,1023}$", "u")).toBe(false);
  });

  test("keeps named groups, which both engines have", () => {
    expect(sameInRe2("^(?<name>a)$", "u")).toBe(true);
  });
});

describe("range", () => {
  test("fails when the value is a fraction, below or above", () => {
    for (const v of [1.5, 0, 4]) expect(range(1, 3).test(v)).toBe(false);
    expect(range(1, 3).test(3)).toBe(true);
  });
});

describe("secret patterns", () => {
  test("find GitHub tokens, fine-grained tokens, AWS access key ids and private keys", () => {
    expect(findSecret(`x ${FAKE.classicToken} y`)).toEqual({ what: "a GitHub token", match: FAKE.classicToken });
    expect(findSecret(FAKE.fineGrainedToken)?.what).toBe("a GitHub fine-grained token");
    expect(findSecret(`key=${FAKE.accessKeyId}`)?.what).toBe("an AWS access key id");
    expect(findSecret("-----BEGIN RSA PRIVATE KEY-----\nabc")?.what).toBe("a private key");
  });

  test("keep GitHub's bounds: 36 to 251 characters after the prefix of a classic token, not inside a longer word", () => {
    expect(findSecret("ghp_" + "a".repeat(35))).toBeUndefined();
    expect(findSecret("ghp_" + "a".repeat(36))).toBeDefined();
    expect(findSecret("token=ghp_" + "a".repeat(36))).toBeDefined();
    expect(findSecret("xghp_" + "a".repeat(36))).toBeUndefined();
    expect(findSecret("ghp_" + "a".repeat(36) + "b".repeat(216))).toBeUndefined();
  });

  test("find a secret at any depth of a value, map keys included", () => {
    expect(holdsSecret({ a: [{ b: FAKE.classicToken }] })).toBe(true);
    expect(holdsSecret({ [FAKE.accessKeyId]: "x" })).toBe(true);
    expect(holdsSecret({ a: ["arn:aws:secretsmanager:us-east-1:123456789012:secret:gh-AbCdEf"] })).toBe(false);
  });

  test("give the guardrails the credentials only (a private key is not a credential literal they look for)", () => {
    expect(CREDENTIAL_PATTERNS.map((p) => p.what)).toEqual(SECRET_PATTERNS.filter((p) => p.kind === "credential").map((p) => p.what));
    expect(CREDENTIAL_PATTERNS.some((p) => p.what === "a private key")).toBe(false);
  });
});

describe("rules of the production edges", () => {
  test.each(EDGE_RULE_SAMPLES.map((s) => [s.name, s]))("%s accepts and rejects its samples", (_name, s) => {
    for (const good of s.good) expect([good, s.rule.test(good)]).toEqual([good, true]);
    for (const bad of s.bad) expect([bad, s.rule.test(bad)]).toEqual([bad, false]);
  });

  test("every one has a Terraform condition (module variables use them)", () => {
    for (const s of EDGE_RULE_SAMPLES) expect([s.name, s.rule.hasCondition]).toEqual([s.name, true]);
    expect(IDENTITY_SOURCES.hasCondition && AUTHORIZER_CONTEXT_HEADERS.hasCondition).toBe(true);
  });

  test("throw the house error naming the setting, and skip unset values", () => {
    expect(() => API_MAPPING_KEY.check("chat.domain.mappingKey", "a/b")).toThrow(
      /^chat\.domain\.mappingKey must be 1 to 300 letters.*, got "a\/b": use one path segment/,
    );
    expect(() => DOMAIN_NAME.check("domain_name", undefined)).not.toThrow();
  });

  test("say which part of a domain name is wrong: its shape, or its length", () => {
    expect(DOMAIN_NAME.explain("WS.example.com")?.rule).toMatch(/^a fully qualified lowercase host name/);
    expect(DOMAIN_NAME.explain(`${"a".repeat(60)}.${"b".repeat(60)}.${"c".repeat(60)}.${"d".repeat(60)}.example.com`)).toEqual({
      rule: "at most 253 characters",
      fix: "use a shorter host name",
    });
  });

  test("write a Terraform validation block, nullable for optional variables", () => {
    expect(HOSTED_ZONE_ID.hcl("domain_hosted_zone_id", { nullable: true })).toEqual({
      condition: '${var.domain_hosted_zone_id == null || can(regex("^[A-Z0-9]{1,32}$", var.domain_hosted_zone_id))}',
      errorMessage: `domain_hosted_zone_id must be ${HOSTED_ZONE_ID.rule}, got \${jsonencode(var.domain_hosted_zone_id)}: ${HOSTED_ZONE_ID.fix}.`,
    });
    // length() fails on null: the nullable form guards with a conditional.
    expect(DOMAIN_NAME.hcl("domain_name", { nullable: true }).condition).toMatch(
      /^\$\{var\.domain_name == null \? true : can\(regex\(.*\)\) && length\(var\.domain_name\) <= 253\}$/,
    );
    expect(IDENTITY_SOURCE.hcl("x").condition).toBe(`\${${IDENTITY_SOURCE.condition("var.x")}}`);
  });

  test("judge the identity source lists and context header maps of the modules and settings", () => {
    for (const good of EDGE_COLLECTION_SAMPLES.identitySources.good) expect([good, IDENTITY_SOURCES.test(good)]).toEqual([good, true]);
    for (const bad of EDGE_COLLECTION_SAMPLES.identitySources.bad) expect([bad, IDENTITY_SOURCES.test(bad)]).toEqual([bad, false]);
    for (const good of EDGE_COLLECTION_SAMPLES.contextHeaders.good) expect([good, AUTHORIZER_CONTEXT_HEADERS.test(good)]).toEqual([good, true]);
    for (const bad of EDGE_COLLECTION_SAMPLES.contextHeaders.bad) expect([bad, AUTHORIZER_CONTEXT_HEADERS.test(bad)]).toEqual([bad, false]);
    expect(IDENTITY_SOURCES.explain(["a.b"])?.fix).toMatch(/^replace "a\.b": use for example/);
    expect(IDENTITY_SOURCES.explain(["context.x", "context.x"])?.fix).toBe('remove the second "context.x"');
    expect(AUTHORIZER_CONTEXT_HEADERS.explain({ ConnectionID: "principalId" })?.fix).toBe(
      'rename header "ConnectionID": the backend reads the connection id and route key from it',
    );
  });
});

describe("routeThrottles", () => {
  const rule = routeThrottles(["$connect", "message", "online"]);

  test("accepts one or both limits per route", () => {
    expect(rule.test({})).toBe(true);
    expect(rule.test({ message: { burstLimit: 20 }, online: { rateLimit: 0.5 }, $connect: { burstLimit: 5, rateLimit: 2 } })).toBe(true);
  });

  test("fails when a key is not a route, suggesting the nearest", () => {
    expect(rule.explain({ mesage: { burstLimit: 1 } })).toEqual({
      rule: 'a map whose keys are routes of the API ("$connect", "message", "online")',
      fix: '"mesage" is not a route: did you mean "message"?',
    });
    expect(rule.explain({ join: { burstLimit: 1 } })?.fix).toBe('"join" is not a route');
  });

  test("fails when an entry has no limit or an unknown field", () => {
    expect(rule.explain({ message: {} })?.fix).toMatch(/^give "message" a burstLimit, a rateLimit or both/);
    expect(rule.test({ message: { burst: 1 } })).toBe(false);
    expect(rule.test({ message: 5 })).toBe(false);
  });

  test("fails when a limit is 0 or the burst limit is a fraction, naming the entry", () => {
    expect(rule.explain({ message: { rateLimit: 0 } })?.fix).toBe("message.rateLimit: set it above 0: a limit of 0 rejects every call with 429");
    expect(rule.explain({ online: { burstLimit: 0 } })?.fix).toBe("online.burstLimit: set it above 0: a limit of 0 rejects every call with 429");
    expect(rule.explain({ online: { burstLimit: 1.5 } })?.fix).toBe("online.burstLimit: round it");
  });
});

describe("show", () => {
  test("quotes strings, says nothing for undefined and writes other values as JSON", () => {
    expect(show("x")).toBe('"x"');
    expect(show(undefined)).toBe("nothing");
    expect(show(3)).toBe("3");
    expect(show(["a"])).toBe('["a"]');
    expect(show(null)).toBe("null");
  });
});

describe("ELB_NAME", () => {
  test("accepts 1 to 32 letters, digits and hyphens", () => {
    expect(() => ELB_NAME.check("x", "a")).not.toThrow();
    expect(() => ELB_NAME.check("x", "chat-nlb-1".padEnd(32, "x"))).not.toThrow();
  });

  test("fails when the name is empty or longer than 32 characters, saying so", () => {
    expect(() => ELB_NAME.check("Thing.name", "")).toThrow('Thing.name must be 1 to 32 characters long, got "": give it a name');
    expect(() => ELB_NAME.check("Thing.name", "x".repeat(35))).toThrow(
      `Thing.name must be 1 to 32 characters long, got "${"x".repeat(35)}": shorten it by 3 character(s): Elastic Load Balancing limits names to 32`,
    );
  });

  test("fails when the name has characters other than letters, digits and hyphens, naming them", () => {
    expect(() => ELB_NAME.check("Thing.name", "my_nlb")).toThrow(
      'Thing.name must be made of letters, digits and hyphens only, got "my_nlb": remove or replace "_"',
    );
    expect(() => ELB_NAME.check("Thing.name", "my nlb.1 2")).toThrow(
      'Thing.name must be made of letters, digits and hyphens only, got "my nlb.1 2": remove or replace " ", "."',
    );
  });

  test("fails when the name starts or ends with a hyphen, saying so", () => {
    const message = (name: string) =>
      `Thing.name must be a name that does not start or end with a hyphen, got "${name}": remove the leading or trailing hyphen`;
    expect(() => ELB_NAME.check("Thing.name", "-nlb")).toThrow(message("-nlb"));
    expect(() => ELB_NAME.check("Thing.name", "nlb-")).toThrow(message("nlb-"));
  });

  test("reports the length first when a long name also breaks another rule", () => {
    expect(() => ELB_NAME.check("Thing.name", `-${"x".repeat(32)}_`)).toThrow(/^Thing.name must be 1 to 32 characters long/);
  });

  test('fails when the name starts with the reserved prefix "internal-", in any case', () => {
    expect(() => ELB_NAME.check("Thing.name", "Internal-chat")).toThrow(
      'Thing.name must be a name that does not start with "internal-", got "Internal-chat": Elastic Load Balancing reserves that prefix',
    );
  });

  test("does not check unresolved tokens", () => {
    expect(() => ELB_NAME.check("Thing.name", new TerraformVariable(newStack(), "s", { type: "string" }).stringValue)).not.toThrow();
  });
});

describe("rules of a new account's first apply (issue 17)", () => {
  test("fails when a module's security group or subnet list holds something else than ids, naming the first", () => {
    expect(() => SECURITY_GROUP_IDS.check("vpc_link_security_group_ids", ["sg-0123abcd", "default"])).toThrow(
      'vpc_link_security_group_ids must be a list whose every item is a security group id (sg-...), got ["sg-0123abcd","default"]: copy the id from the VPC console',
    );
    expect(() => SUBNET_IDS.check("nlb_subnet_ids", ["private-a"])).toThrow("nlb_subnet_ids must be a list whose every item is a subnet id (subnet-...)");
    expect(() => SUBNET_IDS.check("nlb_subnet_ids", ["subnet-0123abcd"])).not.toThrow();
  });

  test("fails when a module's tags break IAM's characters, lengths or count, in the variable's words", () => {
    expect(TAGS_VARIABLE.test({ "cost#center": "x" })).toBe(false);
    expect(TAGS_VARIABLE.test({ team: "chat", "cost center": "a/b" })).toBe(true);
    expect(TAGS_VARIABLE.hcl("tags").errorMessage).toBe(
      "tags must be a map of at most 45 tags whose keys (1 to 128 characters) and values (at most 256) are letters, digits, spaces and _ . : / = + - @, no key starting with aws:, got ${jsonencode(var.tags)}: rename or shorten the tags that break it: IAM roles, which get every tag, refuse other characters, and AWS allows 50 tags per resource.",
    );
  });

  test("fails when a VPC's CIDR block has host bits set, giving the network address to write", () => {
    expect(() => VPC_CIDR.check("Network.cidr", "10.0.1.0/16")).toThrow(
      'Network.cidr must be a CIDR block written as its network address (no host bits set), got "10.0.1.0/16": write it as 10.0.0.0/16',
    );
    expect(() => VPC_CIDR.check("Network.cidr", "172.16.16.0/20")).not.toThrow();
  });

  test("fails when an ARN is in another region than what uses it", () => {
    expect(() => inRegion("us-east-1", "a KMS key").check("chat.table.kmsKeyArn", "arn:aws:kms:eu-west-1:123456789012:key/k")).toThrow(
      'chat.table.kmsKeyArn must be a KMS key in region us-east-1, got "arn:aws:kms:eu-west-1:123456789012:key/k": it is in eu-west-1: give one of region us-east-1',
    );
  });

  test("fails when a port is below 1024 for a non-root process", () => {
    expect(() => UNPRIVILEGED_PORT.check("ChatBackend.port", 80)).toThrow(
      "ChatBackend.port must be a whole number from 1024 to 65535, got 80: a non-root process cannot listen below 1024: use 8080",
    );
  });

  test("fails when a Go version is not a release line", () => {
    expect(() => GO_VERSION.check("goVersion", "1.26.1")).toThrow('goVersion must be a Go release 1.<minor>, e.g. 1.26, got "1.26.1"');
    expect(() => GO_VERSION.check("goVersion", "1.27")).not.toThrow();
  });
});
