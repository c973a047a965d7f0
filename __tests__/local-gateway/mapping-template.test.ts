import { MappingTemplate } from "../../local-gateway";
import { UTIL } from "../../local-gateway/mapping-template";

const context = { connectionId: "L0SM9cOFvHcCIhw=", domainName: "127.0.0.1:4510", stage: "prod", routeKey: "message", identity: { sourceIp: "127.0.0.1" } };
const render = (template: string, body = "", stageVariables: Record<string, string> = {}) =>
  MappingTemplate.of(template).render({ body, context, stageVariables });

describe("MappingTemplate", () => {
  test("renders $context variables", () => {
    expect(render('{"id":"$context.connectionId","url":"https://$context.domainName/$context.stage","ip":"$context.identity.sourceIp"}')).toBe(
      '{"id":"L0SM9cOFvHcCIhw=","url":"https://127.0.0.1:4510/prod","ip":"127.0.0.1"}',
    );
  });

  test("$input.json gives JSON text of a path, null for a missing one, and the whole body for $", () => {
    const body = JSON.stringify({ a: { b: [1, { c: "x" }] }, s: 'q"uote' });
    expect(render("$input.json('$.a.b[1]')", body)).toBe('{"c":"x"}');
    expect(render("$input.json('$.s')", body)).toBe('"q\\"uote"');
    expect(render("$input.json('$.missing')", body)).toBe("null");
    expect(render("$input.json('$')", body)).toBe(body);
    expect(render("$input.json(\"$['a']['b'][0]\")", body)).toBe("1");
  });

  test("$input.path gives values templates can navigate, $input.body the raw frame", () => {
    const body = JSON.stringify({ items: ["a", "b", "c"], name: "bob" });
    expect(render("$input.path('$.items').size() $input.path('$.name') #foreach($i in $input.path('$.items'))$i#end", body)).toBe("3 bob abc");
    expect(render("$input.body", "not json")).toBe("not json");
    expect(render("$input.json('$')", "not json")).toBe('"not json"');
  });

  test("passes user text through verbatim, even when it looks like a template", () => {
    const body = JSON.stringify({ m: "costs $5 #set($x = 1) $context.connectionId ${stageVariables.backendHost}" });
    expect(JSON.parse(render("$input.json('$.m')", body))).toBe("costs $5 #set($x = 1) $context.connectionId ${stageVariables.backendHost}");
  });

  test("$stageVariables and $util.parseJson", () => {
    expect(render("$stageVariables.backendHost", "", { backendHost: "nlb:80" })).toBe("nlb:80");
    expect(render("#set($o = $util.parseJson($input.body))$o.user.name", JSON.stringify({ user: { name: "ann" } }))).toBe("ann");
  });

  test("fails when the template is not Velocity", () => {
    expect(() => render("#if(")).toThrow();
  });
});

describe("UTIL", () => {
  test("escapeJavaScript escapes as Java's StringEscapeUtils.escapeJavaScript", () => {
    expect(UTIL.escapeJavaScript(`a"b'c\\d/e\nf\tg\u0001é😀`)).toBe(`a\\"b\\'c\\\\d\\/e\\nf\\tg\\u0001\\u00E9\\uD83D\\uDE00`);
  });

  test("urlEncode and urlDecode are application/x-www-form-urlencoded, as java.net.URLEncoder", () => {
    expect(UTIL.urlEncode("a b&c=d/é*~!'()")).toBe("a+b%26c%3Dd%2F%C3%A9*%7E%21%27%28%29");
    expect(UTIL.urlDecode("a+b%26c")).toBe("a b&c");
  });

  test("base64Encode and base64Decode use UTF-8", () => {
    expect(UTIL.base64Encode("héllo")).toBe(Buffer.from("héllo").toString("base64"));
    expect(UTIL.base64Decode(UTIL.base64Encode("héllo"))).toBe("héllo");
  });
});
