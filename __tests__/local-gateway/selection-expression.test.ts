import { evaluateSelectionExpression, selectionPattern } from "../../local-gateway/selection-expression";
import { parseJsonPath, selectJsonPath, MISSING } from "../../local-gateway/json-path";

const body = { action: "join", service: "games", version: 2, nested: { key: "k" } };
const variable = (name: string) => {
  const m = /^request\.body\.(.+)$/.exec(name);
  if (!m) return undefined;
  const v = selectJsonPath(body, `$.${m[1]}`);
  return v === MISSING ? undefined : v;
};

describe("evaluateSelectionExpression", () => {
  test.each([
    ["$request.body.action", "join"],
    ["${request.body.action}", "join"],
    ["${request.body.service}/${request.body.action}", "games/join"],
    ["${request.body.version}-beta", "2-beta"],
    ["$request.body.nested.key", "k"],
    ["\\$default", "$default"],
    ["static", "static"],
  ])("evaluates %s to %s", (expression, value) => {
    expect(evaluateSelectionExpression(expression, variable)).toBe(value);
  });

  test("has no value when a variable has none", () => {
    expect(evaluateSelectionExpression("$request.body.missing", variable)).toBeUndefined();
    expect(evaluateSelectionExpression("${request.body.action}-${request.body.missing}", variable)).toBeUndefined();
  });

  test("fails when a brace is not closed", () => {
    expect(() => evaluateSelectionExpression("${request.body.action", variable)).toThrow(/unclosed/);
  });
});

describe("selectionPattern", () => {
  test("matches whole status codes", () => {
    expect(selectionPattern("/2\\d\\d/")!.test("200")).toBe(true);
    expect(selectionPattern("/2\\d\\d/")!.test("2000")).toBe(false);
    expect(selectionPattern("/4\\d\\d|5\\d\\d/")!.test("503")).toBe(true);
    expect(selectionPattern("$default")).toBeUndefined();
  });
});

describe("parseJsonPath", () => {
  test("reads dotted names, bracketed names and indexes", () => {
    expect(parseJsonPath("$")).toEqual([]);
    expect(parseJsonPath("$.a.b[2]['c d']")).toEqual(["a", "b", 2, "c d"]);
    expect(parseJsonPath("a.b")).toEqual(["a", "b"]);
  });

  test("fails when the path uses what templates here do not support", () => {
    expect(() => parseJsonPath("$..a")).toThrow(/not supported/);
    expect(() => parseJsonPath("$.a[*]")).toThrow(/not supported/);
  });
});
