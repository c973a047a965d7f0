/**
 * One server of the gateway benchmark (gateway-bench.ts), in a process of its
 * own so the servers and the clients do not share an event loop. Prints
 * `{"port": <port>}` once listening; stops on SIGTERM.
 *
 *   node dist/local-gateway/bench-server.js backend
 *   node dist/local-gateway/bench-server.js floor <backend port>
 *   node dist/local-gateway/bench-server.js gateway <backend port> <stack dir> <access log file>
 */
import * as http from "http";
import { AddressInfo } from "net";
import { WebSocketServer } from "ws";
import { BackendClient } from "./backend-client";
import { LocalGateway } from "./local-gateway";
import { AWS_LIMITS } from "./limits";
import { apiFromSynthesizedStack } from "./synthesized-stack";

/** The trivial backend: answers every POST with a short text, keep-alive. */
function backend(): Promise<number> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("ok");
    });
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
}

/**
 * The floor for this architecture: a bare `ws` server whose handler makes the
 * same HTTP call to the same backend for each frame (the gateway's HTTP
 * client, keep-alive) and sends the answer back.
 */
function floor(backendPort: number): Promise<number> {
  const client = new BackendClient();
  const url = new URL(`http://127.0.0.1:${backendPort}/username`);
  const wss = new WebSocketServer({ port: 0, host: "127.0.0.1", perMessageDeflate: false, maxPayload: AWS_LIMITS.messageBytes });
  wss.on("connection", (ws) => {
    ws.on("message", (data: Buffer) => {
      client
        .call({ url, method: "POST", headers: { "content-type": "application/json" }, body: data, timeoutMs: 29_000 })
        .then((res) => ws.send(res.body, { binary: false }))
        .catch((e: unknown) => {
          // A failed call ends this connection (1011: internal error), not the server.
          process.stderr.write(`floor: ${e instanceof Error ? e.message : String(e)}\n`);
          ws.close(1011);
        });
    });
  });
  return new Promise((resolve) => wss.on("listening", () => resolve((wss.address() as AddressInfo).port)));
}

async function gateway(backendPort: number, stackDir: string, accessLogFile: string): Promise<number> {
  const api = apiFromSynthesizedStack(stackDir);
  // The stage's throttling (500 requests/s for chat) would be the measurement otherwise.
  const g = await LocalGateway.start({ api, backend: `http://127.0.0.1:${backendPort}`, throttling: false, accessLogFile });
  return g.port;
}

async function main(): Promise<void> {
  const [role, ...args] = process.argv.slice(2);
  const port = role === "backend" ? await backend() : role === "floor" ? await floor(Number(args[0])) : await gateway(Number(args[0]), args[1], args[2]);
  process.on("SIGTERM", () => process.exit(0));
  process.stdout.write(JSON.stringify({ port }) + "\n");
}

void main();
