import { Apigatewayv2DomainName } from "@cdktf/provider-aws/lib/apigatewayv2-domain-name";
import { Op, TerraformResource, TerraformStack, TerraformVariable, Testing, Token } from "cdktf";
import { WebSocketDomainName, WebSocketDomainNameProps } from "../../constructs/websocket-domain-name";
import { errorOf, newStack, resourcesOf, synthJson } from "../helpers";

const CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0f3e9a1b-1111-2222-3333-444455556666";
const ZONE = "Z0123456789ABCDEFGHIJ";

/** The synthesized block of one resource. */
const tf = (json: any, r: TerraformResource) => resourcesOf(json, r.terraformResourceType)[r.friendlyUniqueId];
const ref = (r: TerraformResource, attribute: string) => `\${${r.terraformResourceType}.${r.friendlyUniqueId}.${attribute}}`;

function domain(props: Partial<WebSocketDomainNameProps> = {}, stack: TerraformStack = newStack()) {
  const d = new WebSocketDomainName(stack, "domain", { domainName: "ws.example.com", ...props });
  return { stack, d };
}

describe("WebSocketDomainName", () => {
  test("is a regional TLS 1.2 domain with the given certificate", () => {
    // GIVEN / WHEN
    const { stack } = domain({ certificateArn: CERT });
    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(Apigatewayv2DomainName, {
      domain_name: "ws.example.com",
      domain_name_configuration: { certificate_arn: CERT, endpoint_type: "REGIONAL", security_policy: "TLS_1_2", ip_address_type: "dualstack" },
    });
    const json = synthJson(stack);
    expect(resourcesOf(json, "aws_acm_certificate")).toEqual({});
    expect(resourcesOf(json, "aws_route53_record")).toEqual({});
  });

  test("requests a certificate validated through a DNS record in the zone, and serves it once issued", () => {
    const { stack, d } = domain({ hostedZoneId: ZONE });
    const json = synthJson(stack);
    const cert = d.certificate!;
    expect(tf(json, cert)).toMatchObject({ domain_name: "ws.example.com", validation_method: "DNS", lifecycle: { create_before_destroy: true } });
    const option = (a: string) => `\${tolist(${cert.terraformResourceType}.${cert.friendlyUniqueId}.domain_validation_options).0.${a}}`;
    expect(tf(json, d.validationRecord!)).toEqual({
      zone_id: ZONE,
      name: option("resource_record_name"),
      type: option("resource_record_type"),
      records: [option("resource_record_value")],
      ttl: 60,
      allow_overwrite: true,
    });
    expect(tf(json, d.certificateValidation!)).toEqual({ certificate_arn: ref(cert, "arn"), validation_record_fqdns: [ref(d.validationRecord!, "fqdn")] });
    // The domain waits for the validation, not only for the request.
    expect(tf(json, d.resource).domain_name_configuration.certificate_arn).toBe(ref(d.certificateValidation!, "certificate_arn"));
  });

  test("points A and AAAA alias records of a dualstack domain at API Gateway", () => {
    const { stack, d } = domain({ certificateArn: CERT, hostedZoneId: ZONE });
    const json = synthJson(stack);
    const alias = {
      name: ref(d.resource, "domain_name_configuration.0.target_domain_name"),
      zone_id: ref(d.resource, "domain_name_configuration.0.hosted_zone_id"),
      evaluate_target_health: false,
    };
    expect(d.aliasRecords.map((r) => tf(json, r))).toEqual([
      { zone_id: ZONE, name: ref(d.resource, "domain_name"), type: "A", alias },
      { zone_id: ZONE, name: ref(d.resource, "domain_name"), type: "AAAA", alias },
    ]);
  });

  test("makes only the A record for an IPv4 domain", () => {
    const { stack, d } = domain({ certificateArn: CERT, hostedZoneId: ZONE, ipAddressType: "ipv4" });
    expect(d.aliasRecords.map((r) => tf(synthJson(stack), r).type)).toEqual(["A"]);
    expect(tf(synthJson(stack), d.resource).domain_name_configuration.ip_address_type).toBe("ipv4");
  });

  test("leaves DNS to the user when no zone is given, and says where to point the name", () => {
    const { d } = domain({ certificateArn: CERT });
    expect(d.aliasRecords).toEqual([]);
    expect(d.targetDomainName).toBeDefined();
    expect(d.hostedZoneId).toBeDefined();
  });

  test("keeps its construct ids (ids are a contract)", () => {
    const { d } = domain({ hostedZoneId: ZONE });
    expect([d.resource, d.certificate!, d.validationRecord!, d.certificateValidation!, ...d.aliasRecords].map((r) => r.node.id)).toEqual([
      "Resource",
      "Certificate",
      "ValidationRecord",
      "CertificateValidation",
      "AliasA",
      "AliasAAAA",
    ]);
  });

  test("tags the domain name and the certificate", () => {
    const { stack, d } = domain({ hostedZoneId: ZONE, tags: { Team: "edge" } });
    const json = synthJson(stack);
    expect(tf(json, d.resource).tags).toEqual({ Team: "edge" });
    expect(tf(json, d.certificate!).tags).toEqual({ Team: "edge" });
  });

  describe("with Terraform expressions (module variables)", () => {
    function moduleDomain() {
      const stack = newStack();
      const v = (name: string) => new TerraformVariable(stack, name, { type: "string", nullable: true });
      const [name, cert, zone, ip] = ["domain_name", "certificate_arn", "zone", "ip"].map(v);
      const { d } = domain(
        {
          domainName: name.stringValue,
          certificateArn: cert.stringValue,
          hostedZoneId: zone.stringValue,
          ipAddressType: ip.stringValue as any,
          enabled: Op.neq(name.value, Token.nullValue()) as any,
          createCertificate: Op.eq(cert.value, Token.nullValue()) as any,
          createRecords: Op.neq(zone.value, Token.nullValue()) as any,
        },
        stack,
      );
      return { json: synthJson(stack), d };
    }

    test("counts every resource by its condition", () => {
      const { json, d } = moduleDomain();
      const on = "(var.domain_name != null)";
      const certified = `((var.domain_name != null)) && ((var.certificate_arn == null))`;
      const recorded = `((var.domain_name != null)) && ((var.zone != null))`;
      expect(tf(json, d.resource).count).toBe(`\${${on} ? 1 : 0}`);
      for (const r of [d.certificate!, d.validationRecord!, d.certificateValidation!]) expect(tf(json, r).count).toBe(`\${${certified} ? 1 : 0}`);
      expect(tf(json, d.aliasRecords[0]).count).toBe(`\${${recorded} ? 1 : 0}`);
      expect(tf(json, d.aliasRecords[1]).count).toBe(`\${(${recorded}) && (var.ip == "dualstack") ? 1 : 0}`);
    });

    test("serves the issued certificate when it requests one, the given one otherwise", () => {
      const { json, d } = moduleDomain();
      const validation = d.certificateValidation!;
      expect(tf(json, d.resource).domain_name_configuration.certificate_arn).toBe(
        `\${((var.domain_name != null)) && ((var.certificate_arn == null)) ? one(${validation.terraformResourceType}.${validation.friendlyUniqueId}[*].certificate_arn) : var.certificate_arn}`,
      );
    });

    test("reads attributes through one(), null when the domain is off", () => {
      const { json, d } = moduleDomain();
      const r = d.resource;
      expect(tf(json, d.aliasRecords[0]).name).toBe(`\${one(${r.terraformResourceType}.${r.friendlyUniqueId}[*].domain_name)}`);
    });
  });

  test("fails when the domain name is not a lowercase host name", () => {
    for (const bad of ["WS.example.com", "https://ws.example.com", "ws.example.com.", "localhost", "ws_1.example.com", "ws.example.com/chat"]) {
      expect(errorOf(() => domain({ domainName: bad, certificateArn: CERT }))).toMatch(
        /^WebSocketDomainName\.domainName must be a fully qualified lowercase host name .*, got ".*": give the host name/,
      );
    }
  });

  test("fails when the domain name is longer than DNS allows", () => {
    const long = `${"a".repeat(60)}.${"b".repeat(60)}.${"c".repeat(60)}.${"d".repeat(60)}.example.com`;
    expect(errorOf(() => domain({ domainName: long, certificateArn: CERT }))).toContain("WebSocketDomainName.domainName must be at most 253 characters");
  });

  test("fails when the domain has neither certificate nor zone", () => {
    expect(errorOf(() => domain())).toBe(
      "WebSocketDomainName.hostedZoneId must be set when the certificate is requested here (ACM validates it through a DNS record in that zone), got nothing: give the Route 53 zone of the domain, or give certificateArn of an issued certificate",
    );
  });

  test("fails when the certificate ARN is not an ACM certificate", () => {
    expect(errorOf(() => domain({ certificateArn: "arn:aws:iam::123456789012:server-certificate/ws" }))).toMatch(
      /^WebSocketDomainName\.certificateArn must be an ACM certificate ARN .*, got "arn:aws:iam::123456789012:server-certificate\/ws": request or import the certificate in ACM/,
    );
  });

  test("fails when the hosted zone id has the /hostedzone/ prefix", () => {
    expect(errorOf(() => domain({ certificateArn: CERT, hostedZoneId: `/hostedzone/${ZONE}` }))).toContain(
      "WebSocketDomainName.hostedZoneId must be a Route 53 hosted zone id",
    );
  });

  test("fails when the IP address type is unknown", () => {
    expect(errorOf(() => domain({ certificateArn: CERT, ipAddressType: "ipv6" as any }))).toBe(
      'WebSocketDomainName.ipAddressType must be one of "ipv4", "dualstack", got "ipv6": use one of the allowed values',
    );
  });

  test("fails when a certificate is both given and to be requested", () => {
    expect(errorOf(() => domain({ certificateArn: CERT, hostedZoneId: ZONE, createCertificate: true }))).toContain(
      "WebSocketDomainName.createCertificate must be false or unset when certificateArn is given",
    );
  });

  test("fails when no certificate is requested and none is given", () => {
    expect(errorOf(() => domain({ hostedZoneId: ZONE, createCertificate: false }))).toContain(
      "WebSocketDomainName.certificateArn must be set when createCertificate is false",
    );
  });

  test("fails when records are asked for without a zone", () => {
    expect(errorOf(() => domain({ certificateArn: CERT, createRecords: true }))).toContain(
      "WebSocketDomainName.hostedZoneId must be set when createRecords is true",
    );
  });
});
