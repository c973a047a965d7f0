import { Compile, parse } from "velocityjs";
import { MISSING, selectJsonPath } from "./json-path";

/**
 * What a mapping template is rendered with: the body it maps (the frame for
 * request templates, the backend's answer for response templates), the
 * request context and the stage variables.
 */
export interface TemplateInput {
  readonly body: string;
  /** `$context`: see {@link RequestContext}. */
  readonly context: Record<string, unknown>;
  readonly stageVariables: Readonly<Record<string, string>>;
}

/**
 * A Velocity mapping template, rendered as API Gateway renders WebSocket
 * templates, with the variables of
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-mapping-template-reference.html :
 * `$context.*`, `$input.body`, `$input.json(x)`, `$input.path(x)`,
 * `$stageVariables.*` and `$util.escapeJavaScript/parseJson/urlEncode/urlDecode/base64Encode/base64Decode`.
 * Templates are parsed once and cached.
 */
export class MappingTemplate {
  private static readonly cache = new Map<string, MappingTemplate>();

  /** The compiled template for a text (cached: templates come from a deployed API and are few). */
  public static of(text: string): MappingTemplate {
    let t = MappingTemplate.cache.get(text);
    if (!t) {
      t = new MappingTemplate(text);
      if (MappingTemplate.cache.size < 10_000) MappingTemplate.cache.set(text, t);
    }
    return t;
  }

  private readonly compiled: Compile;

  private constructor(public readonly text: string) {
    this.compiled = new Compile(parse(text));
  }

  /** Renders the template; throws when the template or a `$util` call fails (API Gateway answers "Internal server error"). */
  public render(input: TemplateInput): string {
    let parsed: unknown = MISSING;
    const document = () => {
      if (parsed === MISSING) {
        try {
          parsed = JSON.parse(input.body);
        } catch {
          // A body that is not JSON: only `$input.body` and `$input.json('$')` see it.
          parsed = { [NOT_JSON]: input.body };
        }
      }
      return parsed;
    };
    const $input = {
      body: input.body,
      json: (path: string) => inputJson(document(), String(path)),
      path: (path: string) => inputPath(document(), String(path)),
    };
    return this.compiled.render({ context: input.context, input: $input, stageVariables: input.stageVariables, util: UTIL });
  }
}

const NOT_JSON = "\u0000not-json";

/**
 * `$input.json(x)`: the JSON text of the value at a JSONPath. For a path the
 * document lacks it gives `null` (AWS does not document it; LocalStack's
 * API Gateway, checked against AWS in localstack/localstack#12774, renders
 * `null`, and so does this project's contract test).
 */
function inputJson(document: unknown, path: string): string {
  if (isNotJson(document)) return path.trim() === "$" ? JSON.stringify((document as Record<string, unknown>)[NOT_JSON]) : "null";
  const value = selectJsonPath(document, path);
  return value === MISSING ? "null" : JSON.stringify(value);
}

/** `$input.path(x)`: the value at a JSONPath, as an object Velocity can navigate; an empty string when missing. */
function inputPath(document: unknown, path: string): unknown {
  if (isNotJson(document)) return path.trim() === "$" ? (document as Record<string, unknown>)[NOT_JSON] : "";
  const value = selectJsonPath(document, path);
  return value === MISSING || value === null ? "" : value;
}

function isNotJson(document: unknown): boolean {
  return document !== null && typeof document === "object" && NOT_JSON in (document as object);
}

/**
 * `$util`, as documented for WebSocket mapping templates. escapeJavaScript
 * follows Java's StringEscapeUtils.escapeJavaScript, which API Gateway uses:
 * it also escapes `'` as `\'` (invalid in JSON, as AWS's docs warn) and `/`.
 */
export const UTIL = {
  escapeJavaScript(value: unknown): string {
    return escapeJavaScript(String(value ?? ""));
  },
  parseJson(value: unknown): unknown {
    return JSON.parse(String(value));
  },
  urlEncode(value: unknown): string {
    // java.net.URLEncoder: application/x-www-form-urlencoded, space as "+".
    return encodeURIComponent(String(value ?? ""))
      .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
      .replace(/%20/g, "+");
  },
  urlDecode(value: unknown): string {
    return decodeURIComponent(String(value ?? "").replace(/\+/g, " "));
  },
  base64Encode(value: unknown): string {
    return Buffer.from(String(value ?? ""), "utf8").toString("base64");
  },
  base64Decode(value: unknown): string {
    return Buffer.from(String(value ?? ""), "base64").toString("utf8");
  },
};

function escapeJavaScript(s: string): string {
  let out = "";
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (code > 0xffff) {
      // Java escapes each UTF-16 unit of a surrogate pair.
      out += ch
        .split("")
        .map((unit) => `\\u${unit.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`)
        .join("");
      continue;
    }
    if (code > 0x7f) out += `\\u${code.toString(16).toUpperCase().padStart(4, "0")}`;
    else if (ch === "\b") out += "\\b";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\f") out += "\\f";
    else if (ch === "\r") out += "\\r";
    else if (code < 0x20) out += `\\u${code.toString(16).toUpperCase().padStart(4, "0")}`;
    else if (ch === "'" || ch === '"' || ch === "\\" || ch === "/") out += `\\${ch}`;
    else out += ch;
  }
  return out;
}
