import * as fs from "fs";
import * as path from "path";
import * as app from "../../stacks/app";
import { STALE_SCRATCH_MS, synthesize, synthNotes } from "../../stacks/synth";
import { settingsWith } from "../helpers";
import { filesUnder, tempDir } from "./support";

const STACKS = ["chat", "websocket-alb", "websocket-nlb"];

/** A fresh parent folder and the `cdktf.out` path inside it (not created). */
function freshOutdir(): { parent: string; outdir: string } {
  const parent = tempDir("synth-");
  return { parent, outdir: path.join(parent, "cdktf.out") };
}

/** Every file under a folder with its contents, to compare before and after. */
function snapshotOf(dir: string): Record<string, string> {
  return Object.fromEntries(filesUnder(dir).map((f) => [f, fs.readFileSync(path.join(dir, f)).toString("base64")]));
}

/** Makes the chat stack fail its validations, as a guardrail error would, after the module stacks were built. */
function failChatValidation(): jest.SpyInstance {
  const buildApp = app.buildApp;
  return jest.spyOn(app, "buildApp").mockImplementation((settings, outdir) => {
    const stacks = buildApp(settings, outdir);
    stacks.chat.node.addValidation({ validate: () => ["injected: the chat stack fails validation"] });
    return stacks;
  });
}

afterEach(() => jest.restoreAllMocks());

/**
 * One synth of the defaults into a fresh outdir, done once for the file: the
 * tests that need "an outdir from an earlier synth" get a copy of it (a full
 * synth is the file's cost, about 0.6 s each), the others read it.
 */
let defaults: { parent: string; outdir: string; stacks: app.ProjectStacks };
beforeAll(() => {
  const fresh = freshOutdir();
  defaults = { ...fresh, stacks: synthesize(settingsWith({}), fresh.outdir) };
});

/** A fresh parent folder holding a copy of the defaults' outdir, as a synth into it would have left it. */
function earlierSynth(): { parent: string; outdir: string } {
  const fresh = freshOutdir();
  fs.cpSync(defaults.outdir, fresh.outdir, { recursive: true });
  return fresh;
}

describe("synthesize", () => {
  test("writes the three stacks and the manifest into the outdir", () => {
    // GIVEN / WHEN the defaults synthesized into a fresh outdir (beforeAll)
    const { parent, outdir, stacks } = defaults;
    // THEN
    expect(fs.readdirSync(path.join(outdir, "stacks")).sort()).toEqual(STACKS);
    for (const name of STACKS) expect(JSON.parse(fs.readFileSync(path.join(outdir, "stacks", name, "cdk.tf.json"), "utf8")).terraform).toBeDefined();
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8"));
    expect(Object.keys(manifest.stacks).sort()).toEqual(STACKS);
    for (const name of STACKS)
      expect(manifest.stacks[name]).toMatchObject({ workingDirectory: `stacks/${name}`, synthesizedStackPath: `stacks/${name}/cdk.tf.json` });
    expect(fs.existsSync(path.join(outdir, "stacks", "chat", "assets"))).toBe(true);
    expect([stacks.nlb.node.id, stacks.alb.node.id, stacks.chat.node.id]).toEqual(["websocket-nlb", "websocket-alb", "chat"]);
    // and leaves no scratch folder beside it
    expect(fs.readdirSync(parent)).toEqual(["cdktf.out"]);
  });

  test("fails when a stack fails validation, leaving the outdir exactly as it was", () => {
    // GIVEN an outdir from an earlier synth, with Terraform's working files
    const { parent, outdir } = earlierSynth();
    fs.mkdirSync(path.join(outdir, "stacks", "chat", ".terraform", "providers"), { recursive: true });
    fs.writeFileSync(path.join(outdir, "stacks", "chat", ".terraform.lock.hcl"), "# lock\n");
    const before = snapshotOf(outdir);
    failChatValidation();
    // WHEN a synth with other settings fails on the chat stack (built last)
    expect(() => synthesize(settingsWith({ region: "eu-west-1" }), outdir)).toThrow(/injected: the chat stack fails validation/);
    // THEN nothing changed, and no scratch folder is left
    expect(snapshotOf(outdir)).toEqual(before);
    expect(fs.readdirSync(parent)).toEqual(["cdktf.out"]);
  });

  test("fails when a stack fails validation, writing no partial outdir when there was none", () => {
    const { parent, outdir } = freshOutdir();
    failChatValidation();
    expect(() => synthesize(settingsWith({}), outdir)).toThrow(/injected/);
    expect(fs.readdirSync(parent)).toEqual([]);
  });

  test("fails when a construct throws, leaving the outdir exactly as it was", () => {
    // GIVEN
    const { parent, outdir } = earlierSynth();
    const before = snapshotOf(outdir);
    jest.spyOn(app, "buildApp").mockImplementation(() => {
      throw new Error("WebSocketStage.stageName must be ..., got ...: injected");
    });
    // WHEN / THEN
    expect(() => synthesize(settingsWith({}), outdir)).toThrow(/injected/);
    expect(snapshotOf(outdir)).toEqual(before);
    expect(fs.readdirSync(parent)).toEqual(["cdktf.out"]);
  });

  test("keeps each stack's .terraform folder and lock file, and replaces the generated files", () => {
    // GIVEN a synthesized outdir in which Terraform was initialised
    const { outdir } = earlierSynth();
    const chatDir = path.join(outdir, "stacks", "chat");
    fs.mkdirSync(path.join(chatDir, ".terraform", "providers"), { recursive: true });
    fs.writeFileSync(path.join(chatDir, ".terraform", "providers", "marker"), "provider");
    fs.writeFileSync(path.join(chatDir, ".terraform.lock.hcl"), "# lock file\n");
    fs.writeFileSync(path.join(chatDir, "cdk.tf.json"), "{}");
    fs.mkdirSync(path.join(chatDir, "assets", "stale"), { recursive: true });
    // WHEN synthesizing again with another region
    synthesize(settingsWith({ region: "eu-west-1" }), outdir);
    // THEN Terraform's files survive and the configuration is the new one
    expect(fs.readFileSync(path.join(chatDir, ".terraform", "providers", "marker"), "utf8")).toBe("provider");
    expect(fs.readFileSync(path.join(chatDir, ".terraform.lock.hcl"), "utf8")).toBe("# lock file\n");
    expect(JSON.parse(fs.readFileSync(path.join(chatDir, "cdk.tf.json"), "utf8")).provider.aws[0].region).toBe("eu-west-1");
    expect(fs.existsSync(path.join(chatDir, "assets", "stale"))).toBe(false);
  });

  test("removes the scratch folder a killed synth left behind, not one a running synth may be using", () => {
    // GIVEN a stale scratch folder (older than STALE_SCRATCH_MS) and a fresh one
    const { parent, outdir } = freshOutdir();
    const stale = path.join(parent, ".cdktf.out.partial-stale1");
    const fresh = path.join(parent, ".cdktf.out.partial-fresh1");
    for (const dir of [stale, fresh]) fs.mkdirSync(path.join(dir, "stacks", "chat"), { recursive: true });
    const old = new Date(Date.now() - STALE_SCRATCH_MS - 5_000);
    fs.utimesSync(stale, old, old);
    // WHEN
    synthesize(settingsWith({}), outdir);
    // THEN
    expect(fs.readdirSync(parent).sort()).toEqual([".cdktf.out.partial-fresh1", "cdktf.out"]);
  });

  test("removes the folder of a stack that is no longer produced", () => {
    // GIVEN
    const { outdir } = earlierSynth();
    fs.mkdirSync(path.join(outdir, "stacks", "old-stack", ".terraform"), { recursive: true });
    fs.writeFileSync(path.join(outdir, "stacks", "old-stack", "cdk.tf.json"), "{}");
    // WHEN
    synthesize(settingsWith({}), outdir);
    // THEN
    expect(fs.readdirSync(path.join(outdir, "stacks")).sort()).toEqual(STACKS);
  });

  test("writes the same configuration as a synth into an empty outdir", () => {
    // The defaults' outdir is a synth into an empty outdir.
    const first = defaults.outdir;
    const second = freshOutdir().outdir;
    synthesize(settingsWith({}), second);
    synthesize(settingsWith({}), second);
    for (const name of STACKS) {
      const file = path.join("stacks", name, "cdk.tf.json");
      expect(fs.readFileSync(path.join(second, file), "utf8")).toBe(fs.readFileSync(path.join(first, file), "utf8"));
    }
  });
});

describe("synthesize on the emulator target", () => {
  test("writes the emulator profile beside each stack whose provider names it, and removes it when the target is AWS again", () => {
    // GIVEN / WHEN
    const { outdir } = freshOutdir();
    synthesize(settingsWith({ target: { kind: "emulator", emulatorEndpoint: "http://127.0.0.1:5123" } }), outdir);
    // THEN
    const file = (stack: string) => path.join(outdir, "stacks", stack, "emulator.aws-config");
    expect(fs.readFileSync(file("chat"), "utf8")).toMatch(/^\[profile wsgw-emulator\]\nendpoint_url = http:\/\/127\.0\.0\.1:5123\n$/m);
    // the module stacks configure no provider: a root that uses them brings its own
    for (const stack of ["websocket-alb", "websocket-nlb"]) expect([stack, fs.existsSync(file(stack))]).toEqual([stack, false]);
    synthesize(settingsWith({}), outdir);
    expect(fs.existsSync(file("chat"))).toBe(false);
  });
});

describe("synthNotes", () => {
  /** An outdir holding only a manifest with these annotations per stack. */
  function outdirWithManifest(stacks: Record<string, Array<{ level: string; message: string }>>): string {
    const outdir = path.join(tempDir("notes-"), "cdktf.out");
    fs.mkdirSync(outdir);
    const manifest = { version: "0.21.0", stacks: Object.fromEntries(Object.entries(stacks).map(([name, annotations]) => [name, { name, annotations }])) };
    fs.writeFileSync(path.join(outdir, "manifest.json"), JSON.stringify(manifest));
    return outdir;
  }

  test("prints warnings and suppressions in full and counts the informational notes", () => {
    // GIVEN
    const outdir = outdirWithManifest({
      chat: [
        { level: "@cdktf/warn", message: "WSG-LB-001 warning at chat/private-link: deletion protection off" },
        { level: "@cdktf/info", message: 'WSG-SEC-002 suppressed at chat/aws: "dummy credentials" (silences provider.aws)' },
        { level: "@cdktf/info", message: "WSG-LOGS-002 info at chat/stage/AccessLogs: kms_key_id must be a customer managed key" },
      ],
      "websocket-nlb": [{ level: "@cdktf/info", message: "WSG-LOGS-002 info at websocket-nlb/stage/AccessLogs: kms_key_id" }],
    });
    // WHEN
    const notes = synthNotes(outdir);
    // THEN
    expect(notes).toEqual([
      "  chat: warning: WSG-LB-001 warning at chat/private-link: deletion protection off",
      '  chat: WSG-SEC-002 suppressed at chat/aws: "dummy credentials" (silences provider.aws)',
      "  2 informational notes are in cdktf.out/manifest.json",
    ]);
  });

  test("says nothing when there is nothing to say", () => {
    expect(synthNotes(outdirWithManifest({ chat: [], "websocket-nlb": [] }))).toEqual([]);
  });

  test("reports the emulator target's credentials suppression after a real synth", () => {
    // GIVEN / WHEN
    const { outdir } = freshOutdir();
    synthesize(settingsWith({ target: { kind: "emulator" } }), outdir);
    const notes = synthNotes(outdir);
    // THEN
    expect(notes.filter((n) => n.includes("suppressed at"))).toEqual([
      expect.stringMatching(/^ {2}chat: WSG-SEC-002 suppressed at chat\/aws: "the emulator's fixed dummy credentials/),
    ]);
    expect(notes.filter((n) => !n.includes("suppressed at"))).toEqual(notes.filter((n) => / informational notes are in cdktf\.out\/manifest\.json$/.test(n)));
  });

  test("reports no suppression for the aws target", () => {
    const { outdir } = defaults;
    expect(synthNotes(outdir).filter((n) => !/ informational notes are in /.test(n))).toEqual([]);
  });
});
