import * as fs from "fs";
import * as path from "path";
import { ApiModel, apiFromSynthesizedStack, ensureLocalCertificates, LocalCertificates, LocalGateway, LocalGatewayProps } from "../../../local-gateway";
import { removeWorkdir, synthInto, workdir } from "../../support/terraform";
import { ScriptedBackend } from "./scripted-backend";

/** What a file of gateway tests over the synthesized chat stack shares; read it inside tests (it is filled by beforeAll). */
export interface ChatGateway {
  /** The file's scratch folder. */
  readonly dir: string;
  /** The chat stack as synthesized with the fixture's settings, as the gateway reads it. */
  readonly api: ApiModel;
  /** The local CA's certificates for the @connections URL (and the hosts given). */
  readonly certificates: LocalCertificates;
  /** The local CA, for clients that must trust it. */
  readonly ca: Buffer;
  /** The backend every gateway of the file calls; its calls are forgotten after each test. */
  readonly backend: ScriptedBackend;
  /** Starts a gateway over {@link api} (or `props.api`) with the backend (and TLS unless the options say not); stopped after the test. */
  start(props?: Partial<LocalGatewayProps>): Promise<LocalGateway>;
}

export interface ChatGatewayOptions {
  /** Settings over the defaults (as settingsWith takes them). @default {} */
  readonly overrides?: unknown;
  /** Host names the local certificate covers besides the API's own. @default none */
  readonly hosts?: string[];
  /** Changes the API as read (an access log format, say). @default the API as read */
  readonly adjust?: (api: ApiModel) => ApiModel;
  /** Whether `start` serves @connections over TLS with the local CA. @default true */
  readonly tls?: boolean;
}

/**
 * Registers a file's beforeAll, afterEach and afterAll: the chat stack
 * synthesized once into a scratch folder named after `prefix`, the local CA,
 * one scripted backend; every gateway `start` made is stopped after its test.
 */
export function chatGateway(prefix: string, options: ChatGatewayOptions = {}): ChatGateway {
  const state: { dir?: string; api?: ApiModel; certificates?: LocalCertificates; ca?: Buffer; backend?: ScriptedBackend } = {};
  const gateways: LocalGateway[] = [];
  const get = <K extends keyof typeof state>(key: K): NonNullable<(typeof state)[K]> => {
    if (state[key] === undefined) throw new Error(`chatGateway("${prefix}").${key} is read before its beforeAll ran: read it inside a test`);
    return state[key]!;
  };

  beforeAll(async () => {
    const dir = (state.dir = workdir(prefix));
    synthInto(path.join(dir, "out"), options.overrides ?? {});
    const api = apiFromSynthesizedStack(path.join(dir, "out", "stacks", "chat"));
    state.api = options.adjust ? options.adjust(api) : api;
    state.certificates = ensureLocalCertificates(path.join(dir, "tls"), options.hosts ? [state.api.endpointHost, ...options.hosts] : undefined);
    state.ca = fs.readFileSync(state.certificates.caFile);
    state.backend = await new ScriptedBackend().start();
  }, 120_000);

  afterEach(async () => {
    for (const g of gateways.splice(0)) await g.stop();
    if (state.backend) state.backend.calls.length = 0;
  });

  afterAll(async () => {
    await state.backend?.stop();
    if (state.dir) removeWorkdir(state.dir);
  });

  return {
    get dir() {
      return get("dir");
    },
    get api() {
      return get("api");
    },
    get certificates() {
      return get("certificates");
    },
    get ca() {
      return get("ca");
    },
    get backend() {
      return get("backend");
    },
    async start(props: Partial<LocalGatewayProps> = {}) {
      const tls = options.tls === false ? {} : { tls: get("certificates") };
      const gateway = await LocalGateway.start({ api: get("api"), backend: get("backend").url, ...tls, ...props });
      gateways.push(gateway);
      return gateway;
    },
  };
}
