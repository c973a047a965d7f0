import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import * as fs from "fs";
import * as path from "path";
import { ACCEPT_ADDRESS_CHANGES, addressesOf, parseAddressList, refreshAddressList, renderAddressList, unmovedMessage } from "../../scripts/lib/address-list";
import { addressListPath } from "../../scripts/lib/module-catalog";
import { CONTRACT_STACKS, synthesizeDefaults } from "../../scripts/lib/synthesized-stacks";
import { newStack, PROJECT_DIR, synthJson } from "../helpers";

let synthesized: ReturnType<typeof synthesizeDefaults>;
beforeAll(() => {
  synthesized = synthesizeDefaults();
}, 60_000);

const committed = (stack: string) => fs.readFileSync(path.join(PROJECT_DIR, addressListPath(stack)), "utf8");

/** A stack's Terraform JSON with the given managed resources (`type.name`, optionally repeated). */
const stackJson = (addresses: Record<string, "" | "count" | "for_each">, moved: { from: string; to: string }[] = []) => {
  const resource: any = {};
  for (const [address, rep] of Object.entries(addresses)) {
    const [type, name] = address.split(".");
    resource[type] ??= {};
    resource[type][name] = rep === "count" ? { count: 1 } : rep === "for_each" ? { for_each: "${var.m}" } : {};
  }
  return { resource, ...(moved.length ? { moved } : {}) };
};
const list = (addresses: Record<string, "" | "count" | "for_each">, removed: Record<string, "" | "count" | "for_each"> = {}) => ({
  version: "1.0.0",
  addresses: new Map(Object.entries(addresses)),
  removed: new Map(Object.entries(removed)),
});

describe("resource address contract", () => {
  test.each(CONTRACT_STACKS)("%s keeps the committed resource addresses for the default settings", (stack) => {
    const recorded = parseAddressList(committed(stack));
    const refresh = refreshAddressList(recorded, synthesized[stack], { version: recorded.version });
    const added = [...refresh.list.addresses.keys()].filter((a) => !recorded.addresses.has(a));
    if (refresh.unmoved.length) throw new Error(unmovedMessage(stack, refresh.unmoved, added));
    if (renderAddressList(stack, refresh.list) !== committed(stack)) {
      throw new Error(
        `Resource addresses of the stack ${stack} changed (new: ${added.join(", ") || "none"}; moved or re-counted otherwise): run \`npm run modules\` to record them.`,
      );
    }
  });

  test("the lists are sorted, one address per line, with how the resource repeats", () => {
    for (const stack of CONTRACT_STACKS) {
      const lines = committed(stack)
        .split("\n")
        .filter((l) => l && !l.startsWith("#"));
      expect(lines.length).toBeGreaterThan(15);
      expect([...lines].sort()).toEqual(lines);
      for (const line of lines) expect(line).toMatch(/^aws_[a-z0-9_]+\.[A-Za-z0-9_-]+( \((count|for_each)\))?$/);
    }
    expect(committed("websocket-nlb")).toContain("\naws_apigatewayv2_route.api_custom-routes_BC0CB8FD (for_each)\n");
    expect(committed("chat")).toContain("\naws_ecs_service.backend-service_D2AB2045\n");
  });

  test("fails when an address is gone without a moved block, saying to add one or accept the change", () => {
    const refresh = refreshAddressList(list({ "aws_lb.old": "", "aws_vpc.v": "" }), stackJson({ "aws_lb.renamed": "", "aws_vpc.v": "" }));
    expect(refresh.unmoved).toEqual(["aws_lb.old"]);
    const message = unmovedMessage("chat", refresh.unmoved, ["aws_lb.renamed"]);
    expect(message).toContain("Resource addresses of the stack chat changed: aws_lb.old is gone (new: aws_lb.renamed).");
    expect(message).toContain('add moved blocks (cdktf: newResource.moveFromId("aws_lb.old")) and run `npm run modules`');
    expect(message).toContain(
      `run \`${ACCEPT_ADDRESS_CHANGES}=1 npm run modules\` and add a BREAKING entry naming each old address under [Unreleased] in CHANGELOG.md`,
    );
  });

  test("accepts an address a removed block forgets without destroying it, and refuses one a removed block destroys", () => {
    const forget = { ...stackJson({ "aws_vpc.v": "" }), removed: [{ from: "aws_api_gateway_account.old", lifecycle: { destroy: false } }] };
    expect(refreshAddressList(list({ "aws_api_gateway_account.old": "", "aws_vpc.v": "" }), forget)).toMatchObject({ unmoved: [] });
    const destroy = { ...stackJson({ "aws_vpc.v": "" }), removed: [{ from: "aws_api_gateway_account.old", lifecycle: { destroy: true } }] };
    expect(refreshAddressList(list({ "aws_api_gateway_account.old": "", "aws_vpc.v": "" }), destroy).unmoved).toEqual(["aws_api_gateway_account.old"]);
  });

  test("fails when a single resource becomes for_each without a moved block", () => {
    expect(refreshAddressList(list({ "aws_lb.x": "" }), stackJson({ "aws_lb.x": "for_each" })).unmoved).toEqual(["aws_lb.x"]);
  });

  test("accepts a single resource that gets count (Terraform moves it to [0] by itself)", () => {
    const refresh = refreshAddressList(list({ "aws_lb.x": "" }), stackJson({ "aws_lb.x": "count" }));
    expect(refresh.unmoved).toEqual([]);
    expect(refresh.list.addresses.get("aws_lb.x")).toBe("count");
  });

  test("accepts a rename that a cdktf moveFromId turns into a moved block", () => {
    const stack = newStack("moves");
    new IamRole(stack, "renamed", { assumeRolePolicy: "{}" }).moveFromId("aws_iam_role.original");
    const json = synthJson(stack);
    const refresh = refreshAddressList(list({ "aws_iam_role.original": "" }), json);
    expect(refresh.unmoved).toEqual([]);
    expect([...refresh.list.addresses.keys()]).toEqual(["aws_iam_role.renamed"]);
    expect(refresh.list.removed.size).toBe(0);
  });

  test("records a removal accepted on purpose as a BREAKING line until a release names it", () => {
    const accepted = refreshAddressList(list({ "aws_lb.old": "count" }), stackJson({}), { accept: true }).list;
    const text = renderAddressList("x", accepted);
    expect(text).toContain("\n# unreleased, BREAKING, removed: aws_lb.old (count)\n");
    const reparsed = parseAddressList(text);
    expect(refreshAddressList(reparsed, stackJson({})).list.removed).toEqual(new Map([["aws_lb.old", "count"]]));
    expect(refreshAddressList(reparsed, stackJson({}), { released: (a) => a === "aws_lb.old" }).list.removed.size).toBe(0);
    // Restored before a release: not a change any more.
    expect(refreshAddressList(reparsed, stackJson({ "aws_lb.old": "count" })).list.removed.size).toBe(0);
  });

  test("lists managed resources and module calls, not data sources", () => {
    const json = { resource: { aws_lb: { b: {}, a: { count: 1 } } }, data: { aws_region: { r: {} } }, module: { vpc: { for_each: "${var.x}" } } };
    expect([...addressesOf(json)]).toEqual([
      ["aws_lb.a", "count"],
      ["aws_lb.b", ""],
      ["module.vpc", "for_each"],
    ]);
  });

  test("fails when a list line is not an address", () => {
    expect(() => parseAddressList("aws_lb.a (sometimes)\n")).toThrow(
      'address list line must be "<address>" or "<address> (count|for_each)", got "aws_lb.a (sometimes)"',
    );
  });
});
