import { AcmCertificate } from "@cdktf/provider-aws/lib/acm-certificate";
import { AcmCertificateValidation } from "@cdktf/provider-aws/lib/acm-certificate-validation";
import { Apigatewayv2DomainName } from "@cdktf/provider-aws/lib/apigatewayv2-domain-name";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { Fn, Token } from "cdktf";
import { Construct } from "constructs";
import { WebSocketApiMapping, WebSocketApiMappingOptions } from "./websocket-api-mapping";
import { CERTIFICATE_ARN, DOMAIN_IP_ADDRESS_TYPE, DOMAIN_IP_ADDRESS_TYPES, DOMAIN_NAME, HOSTED_ZONE_ID } from "./rules";
import { invalid, isUnresolved } from "./validation";

/** IP address types of a regional custom domain name. */
export type DomainIpAddressType = (typeof DOMAIN_IP_ADDRESS_TYPES)[number];

/** Properties of {@link WebSocketDomainName}. */
export interface WebSocketDomainNameProps {
  /**
   * The host name clients connect to, e.g. `ws.example.com`: lowercase,
   * fully qualified, without scheme or trailing dot.
   */
  readonly domainName: string;
  /**
   * An ACM certificate for the domain name, in the API's region (regional
   * custom domains use a certificate of their own region).
   * @default - a certificate is requested from ACM and validated through a DNS record in `hostedZoneId`
   */
  readonly certificateArn?: string;
  /**
   * The Route 53 public hosted zone of the domain: it gets the certificate's
   * DNS validation record (when the certificate is created here) and the
   * alias records `A` (and `AAAA` for a dualstack domain) that point the
   * name at API Gateway.
   * @default - no DNS records: point the name at `targetDomainName` / `hostedZoneId` yourself (then `certificateArn` is required)
   */
  readonly hostedZoneId?: string;
  /**
   * Requests the certificate from ACM. May be a Terraform expression known
   * at plan time, such as `var.certificate_arn == null` (a module's choice).
   * @default - true exactly when `certificateArn` is not given
   */
  readonly createCertificate?: boolean;
  /**
   * Creates the alias records in `hostedZoneId`. May be a Terraform
   * expression known at plan time, such as `var.hosted_zone_id != null`.
   * @default - true exactly when `hostedZoneId` is given
   */
  readonly createRecords?: boolean;
  /**
   * Which clients can resolve and reach the domain: `ipv4`, or `dualstack`
   * (IPv4 and IPv6; AWS's recommendation). The `AAAA` record is made for
   * `dualstack` only. May be a Terraform expression.
   * @default "dualstack"
   */
  readonly ipAddressType?: DomainIpAddressType;
  /**
   * Creates the domain. May be a Terraform expression (e.g. `var.domain_name
   * != null` in a module): every resource then gets a count, and the
   * attributes are null when it evaluates to false.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Tags of the domain name and the certificate.
   * @default - none
   */
  readonly tags?: Record<string, string>;
}

/**
 * A custom domain name for WebSocket APIs (`aws_apigatewayv2_domain_name`,
 * id `Resource`): regional, TLS 1.2, with its certificate (given, or
 * requested from ACM with DNS validation in a Route 53 zone) and the Route 53
 * alias records that point the name at API Gateway. Add stages with
 * {@link addApiMapping}.
 *
 * AWS: "Only Regional custom domain names are supported" and "For the
 * minimum TLS version, only TLS 1.2 is supported" for WebSocket APIs, and a
 * domain mapped to a WebSocket API cannot also serve REST or HTTP APIs
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-custom-domain-names.html).
 */
export class WebSocketDomainName extends Construct {
  /** The `aws_apigatewayv2_domain_name`. */
  public readonly resource: Apigatewayv2DomainName;
  /** The ACM certificate, when requested here. */
  public readonly certificate?: AcmCertificate;
  /** The DNS validation record of the certificate, when requested here. */
  public readonly validationRecord?: Route53Record;
  /** Waits until ACM has issued the certificate, when requested here. */
  public readonly certificateValidation?: AcmCertificateValidation;
  /** The alias records (`A`, and `AAAA` for dualstack), when made here. */
  public readonly aliasRecords: Route53Record[] = [];
  /** The domain name, as a reference to the resource (null in Terraform when disabled). */
  public readonly domainName: string;
  /** The regional API Gateway host name the domain's DNS records point at. */
  public readonly targetDomainName: string;
  /** The Route 53 zone of `targetDomainName`, for an alias record. */
  public readonly hostedZoneId: string;
  /** The certificate the domain serves. */
  public readonly certificateArn: string;
  private readonly enabled?: boolean;

  constructor(scope: Construct, id: string, props: WebSocketDomainNameProps) {
    super(scope, id);
    const createCertificate = props.createCertificate ?? props.certificateArn === undefined;
    const createRecords = props.createRecords ?? props.hostedZoneId !== undefined;
    const ipAddressType = props.ipAddressType ?? "dualstack";
    validate(props, createCertificate, createRecords, ipAddressType);
    this.enabled = props.enabled;

    const enabled = condition(props.enabled ?? true);
    const certified = and(enabled, condition(createCertificate));
    const recorded = and(enabled, condition(createRecords));
    const dualstack = and(recorded, isUnresolved(ipAddressType) ? `${Token.asString(ipAddressType)} == "dualstack"` : ipAddressType === "dualstack");

    if (certified !== false) {
      const count = countOf(certified);
      this.certificate = new AcmCertificate(this, "Certificate", {
        count,
        domainName: props.domainName,
        validationMethod: "DNS",
        // A replacement certificate must exist before the domain lets go of the old one.
        lifecycle: { createBeforeDestroy: true },
        tags: props.tags,
      });
      // One domain name, so one validation option: no for_each over values
      // known only after apply.
      const option = (attribute: string) =>
        Fn.lookupNested(
          Fn.tolist(Fn.lookupNested(this.certificate!.fqn, count !== undefined ? [0, "domain_validation_options"] : ["domain_validation_options"])),
          [0, attribute],
        );
      this.validationRecord = new Route53Record(this, "ValidationRecord", {
        count,
        zoneId: props.hostedZoneId!,
        name: option("resource_record_name"),
        type: option("resource_record_type"),
        records: [option("resource_record_value")],
        ttl: 60,
        // ACM gives the same record to every certificate of the name.
        allowOverwrite: true,
      });
      this.certificateValidation = new AcmCertificateValidation(this, "CertificateValidation", {
        count,
        certificateArn: attributeOf(this.certificate, count, "arn", true),
        validationRecordFqdns: [attributeOf(this.validationRecord, count, "fqdn", true)],
      });
    }
    const issued = this.certificateValidation ? attributeOf(this.certificateValidation, countOf(certified), "certificate_arn") : undefined;
    this.certificateArn = certified === true ? issued! : certified === false ? props.certificateArn! : choose(certified, issued!, props.certificateArn);

    const count = countOf(enabled);
    this.resource = new Apigatewayv2DomainName(this, "Resource", {
      count,
      domainName: props.domainName,
      domainNameConfiguration: {
        certificateArn: this.certificateArn,
        endpointType: "REGIONAL",
        securityPolicy: "TLS_1_2",
        ipAddressType,
      },
      tags: props.tags,
    });
    this.domainName = attributeOf(this.resource, count, "domain_name");
    this.targetDomainName = attributeOf(this.resource, count, "domain_name_configuration", 0, "target_domain_name");
    this.hostedZoneId = attributeOf(this.resource, count, "domain_name_configuration", 0, "hosted_zone_id");

    const alias = (type: "A" | "AAAA", when: Condition) => {
      const recordCount = countOf(when);
      this.aliasRecords.push(
        new Route53Record(this, `Alias${type}`, {
          count: recordCount,
          zoneId: props.hostedZoneId!,
          name: this.domainName,
          type,
          alias: { name: this.targetDomainName, zoneId: this.hostedZoneId, evaluateTargetHealth: false },
        }),
      );
    };
    if (recorded !== false) alias("A", recorded);
    if (dualstack !== false) alias("AAAA", dualstack);
  }

  /**
   * Serves a stage under this domain, at its root or under a mapping key;
   * the mapping exists exactly when the domain does.
   */
  public addApiMapping(id: string, options: WebSocketApiMappingOptions): WebSocketApiMapping {
    return new WebSocketApiMapping(this, id, { ...options, domainName: this.domainName, enabled: this.enabled });
  }
}

/** A condition known at synth (boolean) or a Terraform expression (text without `${}`). */
type Condition = boolean | string;

function condition(value: boolean | undefined): Condition {
  if (isUnresolved(value)) return Token.asString(value);
  return value !== false;
}

function and(a: Condition, b: Condition): Condition {
  if (a === false || b === false) return false;
  if (a === true) return b;
  if (b === true) return a;
  return `(${a}) && (${b})`;
}

/** `cond ? a : b` as one Terraform expression; `b` undefined is null, literals are quoted. */
function choose(cond: string, a: string, b: string | undefined): string {
  const operand = (v: string | undefined) => (v === undefined ? "null" : isUnresolved(v) ? v : JSON.stringify(v));
  return Token.asString(`\${${cond} ? ${operand(a)} : ${operand(b)}}`);
}

/** `count` for a condition: none when always true, an expression otherwise (literal false never reaches here). */
function countOf(c: Condition): number | undefined {
  if (c === true) return undefined;
  if (c === false) return 0;
  return Token.asNumber(`\${${c} ? 1 : 0}`);
}

/**
 * An attribute of a resource that may have a count: `one(r[*].a)` (null
 * with count 0), `r[0].a` (`first`, for resources with the same count), or
 * `r.a`.
 */
function attributeOf(resource: { fqn: string }, count: number | undefined, ...path: Array<string | number>): string;
function attributeOf(resource: { fqn: string }, count: number | undefined, attribute: string, first: true): string;
function attributeOf(resource: { fqn: string }, count: number | undefined, ...rest: Array<string | number | boolean>): string {
  const first = rest[rest.length - 1] === true;
  const path = (first ? rest.slice(0, -1) : rest) as Array<string | number>;
  if (count === undefined) return Fn.lookupNested(resource.fqn, path);
  if (first) return Fn.lookupNested(resource.fqn, [0, ...path]);
  return Fn.one(Fn.lookupNested(resource.fqn, ["*", ...path]));
}

function validate(props: WebSocketDomainNameProps, createCertificate: boolean, createRecords: boolean, ipAddressType: DomainIpAddressType): void {
  const name = props.domainName;
  DOMAIN_NAME.check("WebSocketDomainName.domainName", name);
  CERTIFICATE_ARN.check("WebSocketDomainName.certificateArn", props.certificateArn);
  HOSTED_ZONE_ID.check("WebSocketDomainName.hostedZoneId", props.hostedZoneId);
  DOMAIN_IP_ADDRESS_TYPE.check("WebSocketDomainName.ipAddressType", ipAddressType);
  const creates = isUnresolved(createCertificate) || createCertificate;
  if (creates && props.hostedZoneId === undefined) {
    throw invalid(
      "WebSocketDomainName.hostedZoneId",
      "set when the certificate is requested here (ACM validates it through a DNS record in that zone)",
      undefined,
      "give the Route 53 zone of the domain, or give certificateArn of an issued certificate",
    );
  }
  if (createCertificate === false && props.certificateArn === undefined) {
    throw invalid(
      "WebSocketDomainName.certificateArn",
      "set when createCertificate is false",
      undefined,
      "give the ARN of an issued ACM certificate for the domain, or let one be requested",
    );
  }
  if (createCertificate === true && props.certificateArn !== undefined && props.createCertificate === true) {
    throw invalid(
      "WebSocketDomainName.createCertificate",
      "false or unset when certificateArn is given",
      true,
      "give certificateArn or request a certificate, not both",
    );
  }
  if ((isUnresolved(createRecords) || createRecords) && props.hostedZoneId === undefined) {
    throw invalid("WebSocketDomainName.hostedZoneId", "set when createRecords is true", undefined, "give the Route 53 zone the alias records go to");
  }
}
