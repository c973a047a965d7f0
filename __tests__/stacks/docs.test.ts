import * as fs from "fs";
import * as path from "path";
import { RULES } from "../../constructs/guardrails";
import { replaceSection, rulesTable, settingsTable } from "../../stacks/docs";
import { FIELDS } from "../../stacks/settings";
import { defaultSettingsSource, PROJECT_DIR } from "../helpers";

const readme = () => fs.readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8");
const section = (name: string) => {
  const text = readme();
  return text.slice(text.indexOf(`<!-- ${name}:start -->`) + `<!-- ${name}:start -->`.length, text.indexOf(`<!-- ${name}:end -->`)).trim();
};

describe("README", () => {
  test("the settings table lists every setting of the schema with its committed default (run `npm run docs` when it fails)", () => {
    expect(section("settings")).toBe(settingsTable(defaultSettingsSource()));
    for (const f of FIELDS) expect(section("settings")).toContain(`| \`${f.key}\` |`);
  });

  test("the guardrails table lists every rule with its Checkov ids (run `npm run docs` when it fails)", () => {
    expect(section("rules")).toBe(rulesTable());
    for (const r of RULES) expect(section("rules")).toContain(`| ${r.id} |`);
  });

  test("the quickstart's two commands come first and are the ones package.json and .ci/run use", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8"));
    const quickstart = readme().split("## Quickstart")[1].split("```")[1];
    expect(quickstart).toMatch(/npm ci && npm run synth/);
    expect(quickstart).toMatch(/npm test/);
    expect(pkg.scripts.synth).toBeDefined();
    const ci = fs.readFileSync(path.join(PROJECT_DIR, ".ci", "run"), "utf8");
    expect(ci).toMatch(/npm ci/);
    expect(ci).toMatch(/npm run synth/);
    expect(ci).toMatch(/^npm test$/m);
  });

  test("help names every npm script", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8"));
    const help = fs.readFileSync(path.join(PROJECT_DIR, "help"), "utf8");
    for (const script of Object.keys(pkg.scripts)) expect([script, help.includes(script === "test" ? "npm test" : `npm run ${script}`)]).toEqual([script, true]);
  });
});

describe("replaceSection", () => {
  test("fails when the markers are missing", () => {
    expect(() => replaceSection("no markers", "settings", "x")).toThrow("README must hold the markers <!-- settings:start --> and <!-- settings:end -->");
  });
});
