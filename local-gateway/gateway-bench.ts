/**
 * The gateway's part of `npm run bench`: round-trip latency (p50, p99) and
 * messages per second through the gateway and a trivial backend, side by side
 * in the same run with the floor for this architecture (a bare `ws` server
 * making the same HTTP call per frame), and the cost of rendering a template
 * alone. Figures only: no assertion, targets printed beside them.
 */
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import { performance } from "perf_hooks";
import { WebSocket } from "ws";
import { routeOf } from "./api-model";
import { apiFromSynthesizedStack } from "./synthesized-stack";
import { MappingTemplate } from "./mapping-template";

/** Options of {@link benchGateway}. */
export interface GatewayBenchOptions {
  /** A synthesized chat stack (`<outdir>/stacks/chat`). */
  readonly stackDir: string;
  /** Scratch folder (access log). */
  readonly scratch: string;
  /** Few iterations: checks every measurement runs, figures are rough. */
  readonly quick: boolean;
  /** Prints one result row. */
  readonly row: (label: string, value: string, note?: string) => void;
}

export interface GatewayBenchResult {
  readonly floor: Figures;
  readonly gateway: Figures;
  readonly renderMicros: number;
}

interface Figures {
  readonly p50: number;
  readonly p99: number;
  readonly perSecond: number;
}

/** The frame measured: route `username` of the chat stack (template, HTTP call, integration response, two-way answer). */
const FRAME = JSON.stringify({ action: "username", username: "bench" });

export async function benchGateway(options: GatewayBenchOptions): Promise<GatewayBenchResult> {
  const sizes = options.quick
    ? { rounds: 1, warmup: 20, latency: 100, clients: 4, perClient: 50, renders: 2_000 }
    : { rounds: 3, warmup: 500, latency: 2_000, clients: 16, perClient: 500, renders: 100_000 };
  const children: ChildProcess[] = [];
  try {
    const backendPort = await server(children, ["backend"]);
    const floorPort = await server(children, ["floor", String(backendPort)]);
    const gatewayPort = await server(children, ["gateway", String(backendPort), options.stackDir, path.join(options.scratch, "bench-access.log")]);
    // Same run, rounds alternating between the two (each server in its own
    // process), the median round of each kept: both see the same machine.
    const floorRounds: Figures[] = [];
    const gatewayRounds: Figures[] = [];
    const stage = apiFromSynthesizedStack(options.stackDir).stage.name;
    for (let i = 0; i < sizes.rounds; i++) {
      floorRounds.push(await measure(`ws://127.0.0.1:${floorPort}`, sizes));
      gatewayRounds.push(await measure(`ws://127.0.0.1:${gatewayPort}/${stage}`, sizes));
    }
    const floor = median(floorRounds);
    const gateway = median(gatewayRounds);
    const renderMicros = renderCost(options.stackDir, sizes.renders);

    const ms = (v: number) => `${v.toFixed(2)} ms`;
    const ratio = gateway.perSecond / floor.perSecond;
    options.row(
      "floor: bare ws server + same HTTP call, p50 / p99",
      `${ms(floor.p50)} / ${ms(floor.p99)}`,
      `1 client, ${sizes.latency} round trips, median of ${sizes.rounds} rounds`,
    );
    options.row(
      "gateway (chat stack, route username), p50 / p99",
      `${ms(gateway.p50)} / ${ms(gateway.p99)}`,
      `target p99 < 10 ms: ${gateway.p99 < 10 ? "met" : "MISSED"}`,
    );
    options.row("floor: messages per second", `${Math.round(floor.perSecond)}/s`, `${sizes.clients} clients x ${sizes.perClient}, closed loop`);
    options.row(
      "gateway: messages per second",
      `${Math.round(gateway.perSecond)}/s`,
      `${(ratio * 100).toFixed(0)}% of the floor; target >= 50%: ${ratio >= 0.5 ? "met" : "MISSED"}`,
    );
    options.row("render the chat message template alone", `${renderMicros.toFixed(1)} us`, `${sizes.renders} renders, compiled once`);
    return { floor, gateway, renderMicros };
  } finally {
    for (const c of children) c.kill("SIGTERM");
  }
}

/** Starts a bench server in its own process; resolves with its port. */
function server(children: ChildProcess[], args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, "bench-server.js"), ...args], { stdio: ["ignore", "pipe", "inherit"] });
    children.push(child);
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const line = out.split("\n")[0];
      if (out.includes("\n")) resolve(JSON.parse(line).port);
    });
    child.on("exit", (code) => reject(new Error(`bench server ${args[0]} exited with ${code}`)));
  });
}

async function measure(url: string, sizes: { warmup: number; latency: number; clients: number; perClient: number }): Promise<Figures> {
  // Latency: one client, one frame at a time.
  const one = await open(url);
  for (let i = 0; i < sizes.warmup; i++) await roundTrip(one);
  const times: number[] = [];
  for (let i = 0; i < sizes.latency; i++) times.push(await roundTrip(one));
  one.close();
  times.sort((a, b) => a - b);
  const pick = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))];

  // Throughput: several clients, each sending its next frame when the answer arrives.
  const clients = await Promise.all(Array.from({ length: sizes.clients }, () => open(url)));
  const started = performance.now();
  await Promise.all(
    clients.map(async (c) => {
      for (let i = 0; i < sizes.perClient; i++) await roundTrip(c);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  for (const c of clients) c.close();
  return { p50: pick(0.5), p99: pick(0.99), perSecond: (sizes.clients * sizes.perClient) / seconds };
}

/** Each figure's median over the rounds. */
function median(rounds: Figures[]): Figures {
  const mid = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  return { p50: mid(rounds.map((r) => r.p50)), p99: mid(rounds.map((r) => r.p99)), perSecond: mid(rounds.map((r) => r.perSecond)) };
}

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
  });
}

function roundTrip(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => {
    const started = performance.now();
    ws.once("message", () => resolve(performance.now() - started));
    ws.send(FRAME);
  });
}

/** Microseconds to render the chat stack's `message` request template, as synthesized. */
function renderCost(stackDir: string, renders: number): number {
  const api = apiFromSynthesizedStack(stackDir);
  const template = routeOf(api, "message")!.integration!.requestTemplates.$default;
  const t = MappingTemplate.of(template);
  const input = {
    body: JSON.stringify({ action: "message", username: "bob", message: "hello there" }),
    context: { connectionId: "L0SM9cOFvHcCIhw=", domainName: "127.0.0.1:4510", stage: api.stage.name },
    stageVariables: api.stage.variables,
  };
  for (let i = 0; i < Math.min(1000, renders); i++) t.render(input);
  const started = performance.now();
  for (let i = 0; i < renders; i++) t.render(input);
  return ((performance.now() - started) * 1000) / renders;
}
