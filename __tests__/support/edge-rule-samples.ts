import {
  API_MAPPING_KEY,
  AUTHORIZER_CONTEXT_KEY,
  AUTHORIZER_FUNCTION_ARN,
  CERTIFICATE_ARN,
  DOMAIN_NAME,
  HEADER_NAME,
  HOSTED_ZONE_ID,
  IDENTITY_SOURCE,
  ROLE_ARN,
  Rule,
} from "../../constructs/rules";

/**
 * Values each rule of the production edges (custom domain, $connect
 * authorization) must accept and reject: checked in TypeScript by the unit
 * suite (__tests__/constructs/rules.test.ts) and, through the same samples,
 * in Terraform by the terraform suite (__tests__/terraform/rules.test.ts).
 */
export const EDGE_RULE_SAMPLES: ReadonlyArray<{ name: string; rule: Rule<string>; good: string[]; bad: string[] }> = [
  {
    name: "DOMAIN_NAME",
    rule: DOMAIN_NAME,
    good: [
      "ws.example.com",
      "chat-1.eu.example.co.uk",
      "a.io",
      "xn--bcher-kva.example",
      `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(58)}.io` /* 253 characters */,
    ],
    bad: [
      "WS.example.com",
      "example",
      "ws.example.com.",
      "-ws.example.com",
      "ws-.example.com",
      "https://ws.example.com",
      "ws.example.com/chat",
      "*.example.com",
      "ws_1.example.com",
      "ws..example.com",
      // 255 characters of valid labels: longer than DNS allows.
      `${"a".repeat(60)}.${"b".repeat(60)}.${"c".repeat(60)}.${"d".repeat(60)}.example.com`,
    ],
  },
  {
    name: "API_MAPPING_KEY",
    rule: API_MAPPING_KEY,
    good: ["chat", "v1", "$default", "a.b-c_d+e!f*g'h(i)", "x".repeat(300)],
    bad: ["", "v1/chat", "/chat", "my chat", "chat?", "x".repeat(301)],
  },
  {
    name: "HOSTED_ZONE_ID",
    rule: HOSTED_ZONE_ID,
    good: ["Z0123456789ABCDEFGHIJ", "Z1UJRXOUMOOFQ8"],
    bad: ["/hostedzone/Z1UJRXOUMOOFQ8", "z1ujrxoumoofq8", "", "Z".repeat(33)],
  },
  {
    name: "CERTIFICATE_ARN",
    rule: CERTIFICATE_ARN,
    good: [
      "arn:aws:acm:eu-west-1:123456789012:certificate/0f3e9a1b-1111-2222-3333-444455556666",
      "arn:aws-us-gov:acm:us-gov-west-1:123456789012:certificate/abc",
    ],
    bad: ["arn:aws:iam::123456789012:server-certificate/ws", "arn:aws:acm:eu-west-1:123:certificate/abc", "0f3e9a1b-1111-2222-3333-444455556666"],
  },
  {
    name: "AUTHORIZER_FUNCTION_ARN",
    rule: AUTHORIZER_FUNCTION_ARN,
    good: [
      "arn:aws:lambda:eu-west-1:123456789012:function:ws-auth",
      "arn:aws:lambda:eu-west-1:123456789012:function:ws-auth:live",
      "arn:aws:lambda:eu-west-1:123456789012:function:ws-auth:$LATEST",
      "arn:aws-cn:lambda:cn-north-1:123456789012:function:a_b",
      "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:ws-auth/invocations",
    ],
    bad: [
      "ws-auth",
      "arn:aws:iam::123456789012:role/auth",
      "arn:aws:lambda:eu-west-1:123456789012:layer:auth:1",
      "arn:aws:execute-api:eu-west-1:123456789012:abc123",
      "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/ws-auth/invocations",
      "arn:aws:lambda:eu-west-1:123456789012:function:ws auth",
    ],
  },
  {
    name: "IDENTITY_SOURCE",
    rule: IDENTITY_SOURCE,
    good: ["route.request.header.Authorization", "route.request.querystring.token", "stageVariables.authKey", "context.identity.sourceIp"],
    bad: ["method.request.header.Authorization", "$request.header.Authorization", "route.request.body.token", "route.request.header.", "token"],
  },
  {
    name: "ROLE_ARN",
    rule: ROLE_ARN,
    good: ["arn:aws:iam::123456789012:role/apigw-invoke", "arn:aws:iam::123456789012:role/service/x"],
    bad: ["arn:aws:iam::123456789012:user/x", "arn:aws:lambda:eu-west-1:123456789012:function:x"],
  },
  {
    name: "AUTHORIZER_CONTEXT_KEY",
    rule: AUTHORIZER_CONTEXT_KEY,
    good: ["userId", "tenant.id", "a-b_c$"],
    bad: ["user id", "", "a/b"],
  },
  {
    name: "HEADER_NAME",
    rule: HEADER_NAME,
    good: ["x-authorizer-principal-id", "X-User"],
    bad: ["x user", "x:user", ""],
  },
];

/** Lists and maps the module variables of the production edges validate, with the verdict expected of each. */
export const EDGE_COLLECTION_SAMPLES: {
  identitySources: { good: string[][]; bad: string[][] };
  contextHeaders: { good: Record<string, string>[]; bad: Record<string, string>[] };
} = {
  identitySources: {
    good: [["route.request.querystring.token"], ["route.request.header.Authorization", "stageVariables.key"]],
    bad: [[], ["method.request.header.Authorization"], ["route.request.querystring.token", "route.request.querystring.token"]],
  },
  contextHeaders: {
    good: [{}, { "x-principal-id": "principalId", "X-Tenant": "tenant.id" }],
    bad: [{ "x principal": "principalId" }, { connectionId: "principalId" }, { RouteKey: "principalId" }, { "x-user": "user id" }],
  },
};
