import { Construct } from "constructs";
import {
  API_MAPPING_KEY,
  AUTHORIZATION_TYPE,
  AUTHORIZER_CONTEXT_HEADERS,
  AUTHORIZER_FUNCTION_ARN,
  CERTIFICATE_ARN,
  DOMAIN_IP_ADDRESS_TYPE,
  DOMAIN_NAME,
  HOSTED_ZONE_ID,
  IDENTITY_SOURCES,
  ROLE_ARN,
} from "../../constructs/rules";
import { variable } from "../fixed-names";

/**
 * The inputs of the production edges both seed modules share (issue 14): a
 * custom domain, authorization of `$connect`, and the authorizer's result
 * passed to the backend. All optional, with defaults that leave the seed
 * interface as it was: no domain, `$connect` open (`NONE`).
 */
export interface WebSocketEdgeInputs {
  /** `domain_name` (null: no custom domain). */
  readonly domainName: string;
  /** `domain_certificate_arn` (null: requested from ACM, validated in `domain_hosted_zone_id`). */
  readonly domainCertificateArn: string;
  /** `domain_hosted_zone_id` (null: no DNS records). */
  readonly domainHostedZoneId: string;
  /** `domain_api_mapping_key` (null: the stage at the root of the domain). */
  readonly domainApiMappingKey: string;
  /** `domain_ip_address_type`. */
  readonly domainIpAddressType: string;
  /** `connect_authorization_type`. */
  readonly connectAuthorizationType: string;
  /** `connect_authorizer_function_arn`. */
  readonly connectAuthorizerFunctionArn: string;
  /** `connect_authorizer_identity_sources`. */
  readonly connectAuthorizerIdentitySources: string[];
  /** `connect_authorizer_credentials_role_arn`. */
  readonly connectAuthorizerCredentialsRoleArn: string;
  /** `authorizer_context_headers`: header name → key of the authorizer's result. */
  readonly authorizerContextHeaders: Record<string, string>;
}

/**
 * Declares the Terraform variables of the production edges (names, types,
 * defaults, descriptions and validations are the modules' contract) and
 * returns them as typed values. Rules between them (a domain needs a
 * certificate or a zone; `CUSTOM` needs a function) are preconditions of the
 * outputs (websocket-edges.ts): a validation may not read another
 * variable before Terraform 1.9.
 */
export function declareWebSocketEdgeInputs(scope: Construct): WebSocketEdgeInputs {
  return {
    domainName: variable(scope, "domain_name", {
      type: "string",
      default: null,
      description:
        "Custom domain name clients connect to (wss://<domain_name>[/<domain_api_mapping_key>]), e.g. ws.example.com: a regional API Gateway domain with TLS 1.2. Needs domain_certificate_arn or domain_hosted_zone_id. Null: no custom domain.",
      validation: [DOMAIN_NAME.hcl("domain_name", { nullable: true })],
    }).stringValue,
    domainCertificateArn: variable(scope, "domain_certificate_arn", {
      type: "string",
      default: null,
      description:
        "ARN of an issued ACM certificate for domain_name, in the API's region. Null: the module requests one from ACM and validates it with a DNS record in domain_hosted_zone_id.",
      validation: [CERTIFICATE_ARN.hcl("domain_certificate_arn", { nullable: true })],
    }).stringValue,
    domainHostedZoneId: variable(scope, "domain_hosted_zone_id", {
      type: "string",
      default: null,
      description:
        "Route 53 public hosted zone of domain_name: the module adds the certificate's validation record (when it requests the certificate) and A/AAAA alias records to API Gateway. Null: no records; point your DNS at the custom_domain_target_domain_name output.",
      validation: [HOSTED_ZONE_ID.hcl("domain_hosted_zone_id", { nullable: true })],
    }).stringValue,
    domainApiMappingKey: variable(scope, "domain_api_mapping_key", {
      type: "string",
      default: null,
      description:
        "Path segment under domain_name that serves the stage (wss://<domain_name>/<key>); WebSocket mappings have one level, so no slash. Null: the stage is served at the root of the domain.",
      validation: [API_MAPPING_KEY.hcl("domain_api_mapping_key", { nullable: true })],
    }).stringValue,
    domainIpAddressType: variable(scope, "domain_ip_address_type", {
      type: "string",
      default: "dualstack",
      description: 'Who can reach the custom domain: "dualstack" (IPv4 and IPv6; an AAAA record is added) or "ipv4".',
      validation: [DOMAIN_IP_ADDRESS_TYPE.hcl("domain_ip_address_type")],
    }).stringValue,
    connectAuthorizationType: variable(scope, "connect_authorization_type", {
      type: "string",
      default: "NONE",
      description:
        'Authorization of the $connect route: "NONE" (anyone who knows the URL can connect), "AWS_IAM" (clients sign the connect request with SigV4 and need execute-api:Invoke on the connect_route_arn output) or "CUSTOM" (the Lambda REQUEST authorizer connect_authorizer_function_arn).',
      validation: [AUTHORIZATION_TYPE.hcl("connect_authorization_type")],
    }).stringValue,
    connectAuthorizerFunctionArn: variable(scope, "connect_authorizer_function_arn", {
      type: "string",
      default: null,
      description:
        'ARN (or invoke_arn) of the existing Lambda function that authorizes $connect when connect_authorization_type is "CUSTOM". The module lets this API\'s authorizers invoke it (aws_lambda_permission) unless connect_authorizer_credentials_role_arn is given. WebSocket authorizers cache nothing: the function runs once per connection attempt.',
      validation: [AUTHORIZER_FUNCTION_ARN.hcl("connect_authorizer_function_arn", { nullable: true })],
    }).stringValue,
    connectAuthorizerIdentitySources: variable(scope, "connect_authorizer_identity_sources", {
      type: "list(string)",
      default: ["route.request.querystring.token"],
      description:
        "Where the Lambda authorizer finds the client's credentials: route.request.querystring.<name>, route.request.header.<name>, stageVariables.<name> or context.<name>. API Gateway answers 401 without calling the function when one is missing. Browsers cannot set headers when they open a WebSocket: they pass a token in the query string.",
      validation: [IDENTITY_SOURCES.hcl("connect_authorizer_identity_sources")],
    }).listValue,
    connectAuthorizerCredentialsRoleArn: variable(scope, "connect_authorizer_credentials_role_arn", {
      type: "string",
      default: null,
      description:
        "IAM role API Gateway assumes to invoke the authorizer function (trusting apigateway.amazonaws.com, allowed lambda:InvokeFunction), for a function whose resource policy the module must not change. Null: a resource-based permission on the function for this API's authorizers only.",
      validation: [ROLE_ARN.hcl("connect_authorizer_credentials_role_arn", { nullable: true })],
    }).stringValue,
    authorizerContextHeaders: variable(scope, "authorizer_context_headers", {
      type: "map(string)",
      default: {},
      description:
        'Values of the Lambda authorizer\'s result the backend receives as HTTP headers on every route, header name => principalId or a key of the returned context, e.g. { "x-principal-id" = "principalId" }. API Gateway keeps the result for the whole connection. Trust them only because the backend is reachable through the VPC link alone.',
      validation: [AUTHORIZER_CONTEXT_HEADERS.hcl("authorizer_context_headers")],
    }).value,
  };
}
