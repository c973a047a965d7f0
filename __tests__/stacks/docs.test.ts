import * as fs from "fs";
import * as path from "path";
import { GuardrailRule, RULES } from "../../constructs/guardrails";
import { generatedSections, regenerateDocs, replaceSection, ruleCatalogue, settingsTable, severityText } from "../../stacks/docs";
import { FIELDS } from "../../stacks/settings";
import { readCdktfContext } from "../../stacks/config";
import { defaultSettingsSource, PROJECT_DIR } from "../helpers";

const read = (file: string) => fs.readFileSync(path.join(PROJECT_DIR, file), "utf8");
const section = (file: string, name: string) => {
  const text = read(file);
  return text.slice(text.indexOf(`<!-- ${name}:start -->`) + `<!-- ${name}:start -->`.length, text.indexOf(`<!-- ${name}:end -->`)).trim();
};
/** Markdown files of the project a reader follows links through. */
const MARKDOWN = () => ["README.md", "CHANGELOG.md", ...fs.readdirSync(path.join(PROJECT_DIR, "docs")).map((f) => `docs/${f}`)];

describe("generated documentation (npm run docs)", () => {
  test("every generated section is what npm run docs writes (run `npm run docs` when this fails)", () => {
    const { stale } = regenerateDocs(PROJECT_DIR, readCdktfContext(PROJECT_DIR).settings);
    if (stale.length) throw new Error(`${stale.join(", ")}: a generated section differs from the code. Run \`npm run docs\` and commit the result.`);
  });

  test("docs/configuration.md's settings table lists every setting of the schema with its committed default", () => {
    expect(section("docs/configuration.md", "settings")).toBe(settingsTable(defaultSettingsSource()));
    for (const f of FIELDS) expect(section("docs/configuration.md", "settings")).toContain(`| \`${f.key}\` |`);
  });

  test("docs/guardrails.md's catalogue lists every rule of the registry, with its fix and where to suppress it", () => {
    const catalogue = section("docs/guardrails.md", "rules");
    expect(catalogue).toBe(ruleCatalogue());
    for (const r of RULES) {
      expect(catalogue).toContain(`| [${r.id}](#${r.id.toLowerCase()}) |`);
      expect(catalogue).toContain(`\n### ${r.id}\n`);
      expect(r.suppressOn).toBeTruthy();
    }
  });

  test("there is one rule catalogue: docs/guardrails.md (constructs/guardrails/RULES.md is gone, the README has none)", () => {
    expect(fs.existsSync(path.join(PROJECT_DIR, "constructs", "guardrails", "RULES.md"))).toBe(false);
    const holders = MARKDOWN().filter((f) => read(f).includes("| WSG-APIGW-001"));
    expect(holders).toEqual([]);
    expect(
      generatedSections(readCdktfContext(PROJECT_DIR).settings)
        .filter((s) => s.name === "rules")
        .map((s) => s.file),
    ).toEqual(["docs/guardrails.md"]);
  });

  test("every rule that differs from Checkov says so in the catalogue, with its reason", () => {
    const catalogue = ruleCatalogue();
    for (const r of RULES.filter((r) => r.checkovDeviation)) {
      expect(catalogue).toContain(
        r.checkov.length ? `- **Checkov:** ${r.checkov.join(", ")}. Differs: ${r.checkovDeviation}` : `- **Checkov:** none. ${r.checkovDeviation}`,
      );
    }
  });
});

describe("ruleCatalogue", () => {
  const rule = (over: Partial<GuardrailRule>): GuardrailRule => ({
    id: "WSG-X-001",
    checkov: [],
    description: "d",
    fix: "f",
    suppressOn: "the thing",
    severity: () => "error",
    check: () => [],
    ...over,
  });

  test("fails when a rule does not say where a suppression belongs", () => {
    expect(() => ruleCatalogue([rule({ suppressOn: undefined })])).toThrow(
      'rule WSG-X-001 must say where a suppression belongs, got no suppressOn: add suppressOn to its defineRule (use "—" when it should never be suppressed)',
    );
  });

  test("shows <placeholders> and * of plain-text fields as written", () => {
    const text = ruleCatalogue([rule({ description: 'no "*" or "<service>:*" | x', fix: "use logs.<region>.amazonaws.com" })]);
    expect(text).toContain('| no "\\*" or "&lt;service>:\\*" \\| x |');
    expect(text).toContain("- **Fix:** use logs.&lt;region>.amazonaws.com");
  });

  test("names the options that change a severity", () => {
    expect(severityText(rule({ severity: (o) => (o.production ? "error" : undefined) }))).toBe("off; error with `production`");
    expect(severityText(rule({ severity: (o) => (o.requireLogKms ? "warning" : "info") }))).toBe("info; warning with `requireLogKms`");
    expect(severityText(rule({}))).toBe("error");
  });
});

describe("replaceSection", () => {
  test("fails when the markers are missing", () => {
    expect(() => replaceSection("no markers", "settings", "x", "docs/configuration.md")).toThrow(
      "docs/configuration.md must hold the markers <!-- settings:start --> and <!-- settings:end -->, got no start marker: put them back around the generated settings section",
    );
  });
});

describe("README", () => {
  test("is the front door: under 15 KB", () => {
    expect(Buffer.byteLength(read("README.md"))).toBeLessThan(15 * 1024);
  });

  test("the quickstart's two commands come first and are the ones package.json and .ci/run use", () => {
    const pkg = JSON.parse(read("package.json"));
    const quickstart = read("README.md").split("## Quickstart")[1].split("```")[1];
    expect(quickstart).toMatch(/npm ci && npm run synth/);
    expect(quickstart).toMatch(/npm test/);
    expect(pkg.scripts.synth).toBeDefined();
    const ci = read(".ci/run");
    expect(ci).toMatch(/npm ci/);
    expect(ci).toMatch(/npm run synth/);
    expect(ci).toMatch(/^npm test$/m);
  });

  test("says plainly, before the modules, that a Socket.io or raw WebSocket server does not work behind API Gateway", () => {
    const readme = read("README.md");
    const warning = readme.indexOf("A Socket.io or other raw-WebSocket server behind these stacks therefore does **not**");
    expect(warning).toBeGreaterThan(0);
    expect(warning).toBeLessThan(readme.indexOf("## The modules from HCL"));
  });

  test("links to every page of docs/ and to both module READMEs", () => {
    const readme = read("README.md");
    for (const f of fs.readdirSync(path.join(PROJECT_DIR, "docs"))) expect([f, readme.includes(`(docs/${f})`)]).toEqual([f, true]);
    for (const m of ["websocket-nlb", "websocket-alb"]) expect(readme).toContain(`(modules/${m}/README.md)`);
  });

  test("does not copy the module input/output tables: they live in the module READMEs only", () => {
    for (const f of MARKDOWN()) expect([f, /<a name="(input|output)_/.test(read(f))]).toEqual([f, false]);
  });
});

describe("links between the documents", () => {
  test("every relative link of README.md, CHANGELOG.md and docs/ points at a file that exists, and every #anchor at a heading", () => {
    const slug = (heading: string) =>
      heading
        .trim()
        .toLowerCase()
        .replace(/[^\w\s-]/g, "")
        .replace(/\s/g, "-");
    const anchors = (file: string) => new Set([...read(file).matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1])));
    const problems: string[] = [];
    for (const file of MARKDOWN()) {
      const text = read(file).replace(/```[\s\S]*?```/g, "");
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const link = m[1];
        if (/^[a-z]+:/.test(link)) continue;
        const [target, anchor] = link.split("#");
        const resolved = target ? path.normalize(path.join(path.dirname(file), target)) : file;
        if (!fs.existsSync(path.join(PROJECT_DIR, resolved))) problems.push(`${file}: ${link} (no ${resolved})`);
        else if (anchor && resolved.endsWith(".md") && !anchors(resolved).has(anchor)) problems.push(`${file}: ${link} (no heading #${anchor} in ${resolved})`);
      }
    }
    expect(problems).toEqual([]);
  });

  test("the code names documents that exist", () => {
    const problems: string[] = [];
    const walk = (dir: string): string[] =>
      fs
        .readdirSync(path.join(PROJECT_DIR, dir), { withFileTypes: true })
        .flatMap((e) => (e.isDirectory() ? walk(`${dir}/${e.name}`) : e.name.endsWith(".ts") ? [`${dir}/${e.name}`] : []));
    for (const file of ["main.ts", ...walk("stacks"), ...walk("constructs"), ...walk("scripts")]) {
      for (const m of read(file).matchAll(/\b((?:docs|constructs\/guardrails)\/[\w-]+\.md)\b/g))
        if (!fs.existsSync(path.join(PROJECT_DIR, m[1]))) problems.push(`${file} names ${m[1]}`);
    }
    expect(problems).toEqual([]);
  });
});
