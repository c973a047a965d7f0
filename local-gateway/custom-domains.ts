import { ApiModel } from "./api-model";

/** How a request reached the stage: its own path, or an API mapping of a custom domain. */
export interface Addressed {
  /** `$context.domainName` of the connection: the host the client named (a custom domain, the execute-api host), else the gateway's `127.0.0.1:<port>`. */
  readonly domainName: string;
  /** The URL the client used, as it would read on AWS (for the 4,096-character quota): `wss://<host><path and query>`. */
  readonly awsHost: string;
}

/** The hosts a request may name, and the paths each serves. */
type View = { readonly kind: "local" } | { readonly kind: "execute-api" } | { readonly kind: "domain"; readonly domain: string };

/**
 * The addresses of the stage: its execute-api form (`/<stage>` on the API's
 * own host) and every API mapping of a custom domain (`/<mapping key>`, or
 * `/` for a mapping without key, on the domain), as API Gateway serves them
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-custom-domain-names.html,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-mappings.html).
 *
 * The request's Host header says which host it is for: a custom domain
 * serves its mappings only and the execute-api host its stage path only (as
 * on AWS, where `https://<domain>/<stage>/@connections` fails); any other
 * host (127.0.0.1:<port>, localhost) is the gateway itself and serves both,
 * so `ws://127.0.0.1:<port>/<mapping key>` works without DNS. The
 * @connections API follows: `/<stage>/@connections/{id}` on the stage's
 * hosts, `/<key>/@connections/{id}` (or `/@connections/{id}`) on a domain's.
 */
export class CustomDomains {
  private readonly domains: ReadonlyMap<string, readonly string[]>;

  /**
   * @param local the gateway's host (`127.0.0.1:<port>`)
   * @param connectionsOrigin the gateway's @connections origin (`https://127.0.0.1:<port>`)
   */
  constructor(
    private readonly api: ApiModel,
    private readonly local: () => string,
    private readonly connectionsOrigin: () => string,
  ) {
    const domains = new Map<string, string[]>();
    for (const m of api.mappings) domains.set(m.domainName.toLowerCase(), [...(domains.get(m.domainName.toLowerCase()) ?? []), m.key]);
    this.domains = domains;
  }

  /** Host names TLS must present a certificate for: the execute-api host and every custom domain. */
  public get hostNames(): string[] {
    return [this.api.endpointHost, ...this.domains.keys()];
  }

  /** The mapping paths served, with the custom domain URL each stands for: `/game` for `wss://game.example.com/game`. */
  public get mappings(): Array<{ path: string; domainUrl: string }> {
    return this.api.mappings.map((m) => ({ path: `/${m.key}`, domainUrl: `wss://${m.domainName}${m.key ? `/${m.key}` : ""}` }));
  }

  /**
   * An integration request's text with the API's own @connections origin
   * (`https://<api-id>.execute-api.<region>.amazonaws.com`, which a request
   * template names when clients come through a custom domain: the chat's
   * `url` with `chat.domain.name`) replaced by this gateway's: that host
   * never resolves to this machine, so a backend calling it unchanged would
   * reach nothing. Everything else is left as the template rendered it.
   */
  public localizeCallbackUrls(text: string): string {
    const origin = `https://${this.api.endpointHost}`;
    return text.includes(origin) ? text.split(origin).join(this.connectionsOrigin()) : text;
  }

  /** Where a WebSocket handshake for `pathname` (decoded segments) goes; undefined: no stage there (403). */
  public handshake(host: string | undefined, segments: readonly string[]): Addressed | undefined {
    const view = this.view(host);
    const path = trimSlash(segments);
    if (path.length > 1) return undefined;
    const key = path[0] ?? "";
    return this.serves(view, key) ? this.addressed(view, host) : undefined;
  }

  /**
   * The connection id of an @connections path (`<base>/@connections/<id>`),
   * `"elsewhere"` for the path of another stage or mapping (403), undefined
   * for a path that is no @connections path.
   */
  public connectionsPath(host: string | undefined, segments: readonly string[]): { id: string } | "elsewhere" | undefined {
    const path = trimSlash(segments);
    const at = path.indexOf("@connections");
    if (at < 0 || at > 1 || path.length !== at + 2) return undefined;
    const key = at === 1 ? path[0] : "";
    return this.serves(this.view(host), key) ? { id: path[at + 1] } : "elsewhere";
  }

  /** Whether a path (decoded segments) is one the stage is served at, for a plain HTTP request (426). */
  public isStagePath(host: string | undefined, segments: readonly string[]): boolean {
    return this.handshake(host, segments) !== undefined;
  }

  private view(host: string | undefined): View {
    const name = (host ?? "").replace(/:\d+$/, "").toLowerCase();
    if (name === this.api.endpointHost.toLowerCase()) return { kind: "execute-api" };
    if (this.domains.has(name)) return { kind: "domain", domain: name };
    return { kind: "local" };
  }

  /** Whether a host serves the stage at `/<key>` (`""`: the root). */
  private serves(view: View, key: string): boolean {
    const stage = key !== "" && key === this.api.stage.name;
    if (view.kind === "execute-api") return stage;
    if (view.kind === "domain") return (this.domains.get(view.domain) ?? []).includes(key);
    return stage || [...this.domains.values()].some((keys) => keys.includes(key));
  }

  private addressed(view: View, host: string | undefined): Addressed {
    if (view.kind === "domain") return { domainName: view.domain, awsHost: view.domain };
    if (view.kind === "execute-api") return { domainName: (host ?? "").replace(/:\d+$/, ""), awsHost: this.api.endpointHost };
    return { domainName: this.local(), awsHost: this.api.endpointHost };
  }
}

/** A path's segments without the leading empty one and a trailing slash. */
function trimSlash(segments: readonly string[]): string[] {
  const out = segments[0] === "" ? segments.slice(1) : [...segments];
  if (out.length > 0 && out[out.length - 1] === "") out.pop();
  return out;
}

/** A URL path's segments, each percent-decoded (`/prod/%40connections/x` is `["", "prod", "@connections", "x"]`). */
export function pathSegments(pathname: string): string[] {
  return pathname.split("/").map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
}
