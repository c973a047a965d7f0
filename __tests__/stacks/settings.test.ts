import { ARCHITECTURES, LOGGING_LEVELS, NAT_GATEWAY_MODES, TRACING_MODES } from "../../constructs/rules";
import { readCdktfContext } from "../../stacks/config";
import { FIELD_BY_KEY, FIELDS, Settings, SETTINGS_SCHEMA } from "../../stacks/settings";
import { PROJECT_DIR, settingsWith } from "../helpers";

describe("SETTINGS_SCHEMA", () => {
  test("describes every setting once, each with its documentation", () => {
    expect(new Set(FIELDS.map((f) => f.key)).size).toBe(FIELDS.length);
    for (const f of FIELDS) expect({ key: f.key, documented: f.doc.length >= 20 && /[.)]$/.test(f.doc) }).toEqual({ key: f.key, documented: true });
  });

  test("gives every setting a default, except the image tag, which the project gives in cdktf.json", () => {
    expect(FIELDS.filter((f) => f.default === undefined).map((f) => f.key)).toEqual(["chat.backend.image.tag"]);
    expect(readCdktfContext(PROJECT_DIR).settings).toMatchObject({ chat: { backend: { image: { tag: expect.any(String) } } } });
  });

  test("names each environment variable once, with the WSGW_ prefix", () => {
    const envs = FIELDS.flatMap((f) => (f.env ? [f.env] : []));
    expect(new Set(envs).size).toBe(envs.length);
    for (const env of envs) expect(env).toMatch(/^WSGW_[A-Z_]+$/);
    expect(envs.sort()).toEqual(["WSGW_EMULATOR_ENDPOINT", "WSGW_ENVIRONMENT", "WSGW_IMAGE_TAG", "WSGW_REGION", "WSGW_TARGET"]);
  });

  test("takes the choices from the rules the constructs check", () => {
    expect(FIELD_BY_KEY.get("chat.api.loggingLevel")!.oneOf).toEqual(LOGGING_LEVELS);
    expect(FIELD_BY_KEY.get("chat.backend.tracing")!.oneOf).toEqual(TRACING_MODES);
    expect(FIELD_BY_KEY.get("chat.backend.architecture")!.oneOf).toEqual(ARCHITECTURES);
    expect(FIELD_BY_KEY.get("chat.network.natGateways")!.oneOf).toEqual(NAT_GATEWAY_MODES);
  });

  test("is the type of the settings the loader returns", () => {
    // GIVEN / WHEN
    const s: Settings = settingsWith({});
    // THEN the schema parses them unchanged
    expect(SETTINGS_SCHEMA.parse(s)).toEqual(s);
  });

  test("fails when a value breaks a setting's rule, with the rule and the fix in the issue", () => {
    const s = settingsWith({});
    const result = SETTINGS_SCHEMA.safeParse({ ...s, chat: { ...s.chat, api: { ...s.chat.api, stageName: "prod stage" } } });
    expect(result.success).toBe(false);
    expect(result.error!.issues).toEqual([
      expect.objectContaining({
        path: ["chat", "api", "stageName"],
        message: "1 to 128 letters, digits, hyphens or underscores",
        params: { fix: 'use for example "prod"' },
      }),
    ]);
  });
});
