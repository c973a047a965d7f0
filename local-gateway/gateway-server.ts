import * as http from "http";
import * as https from "https";
import * as net from "net";
import { Duplex } from "stream";

/** What the server hands requests and upgrades to. */
export interface GatewayServerHandlers {
  onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void>;
  onUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<void>;
}

/**
 * One port on 127.0.0.1 for plain HTTP/WebSocket and TLS (`https://`,
 * `wss://`): a connection's first byte tells them apart (a TLS handshake
 * starts with 0x16), so the @connections callback URL
 * `https://$context.domainName/$context.stage` works beside `ws://`.
 */
export class GatewayServer {
  private readonly plain: http.Server;
  private readonly secure?: https.Server;
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private listeningPort = 0;

  constructor(handlers: GatewayServerHandlers, tls?: { readonly key: string | Buffer; readonly cert: string | Buffer }) {
    // The handlers are async: a rejection (a request target `new URL` cannot
    // parse, a client resetting mid-body) ends that request, not the process.
    const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) =>
      void handlers.onRequest(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(400);
        res.end();
      });
    const onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void handlers.onUpgrade(req, socket, head).catch(() => socket.destroy());
    this.plain = http.createServer(onRequest).on("upgrade", onUpgrade);
    if (tls) this.secure = https.createServer({ key: tls.key, cert: tls.cert }, onRequest).on("upgrade", onUpgrade);
    this.server = net.createServer((socket) => this.dispatch(socket));
  }

  public get port(): number {
    return this.listeningPort;
  }

  public get tls(): boolean {
    return this.secure !== undefined;
  }

  /** Open client sockets (0 when idle). */
  public get socketCount(): number {
    return this.sockets.size;
  }

  public listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (e: NodeJS.ErrnoException) => {
        reject(e.code === "EADDRINUSE" ? new Error(`port ${port} on 127.0.0.1 is in use: pick another port, or 0 for a free one`) : e);
      };
      this.server.once("error", onError);
      this.server.listen(port, "127.0.0.1", () => {
        this.server.off("error", onError);
        this.listeningPort = (this.server.address() as net.AddressInfo).port;
        resolve();
      });
    });
  }

  /** Stops listening; resolves once the port is closed (after {@link destroySockets}). */
  public close(): Promise<void> {
    return new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Ends every client socket at once. */
  public destroySockets(): void {
    for (const socket of this.sockets) socket.destroy();
    this.plain.closeAllConnections();
    this.secure?.closeAllConnections();
  }

  /** Plain HTTP/WebSocket or TLS on the same port: a TLS handshake starts with byte 0x16. */
  private dispatch(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on("close", () => this.sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    socket.once("data", (first: Buffer) => {
      socket.pause();
      if (first[0] === 0x16 && this.secure) {
        // The TLS server reads through a stream that replays the first chunk
        // (a socket's own handle would skip data already read).
        this.secure.emit("connection", new ReplaySocket(socket, first));
      } else {
        socket.unshift(first);
        this.plain.emit("connection", socket);
        socket.resume();
      }
    });
  }
}

/** A stream over a socket that first replays bytes already read from it. */
class ReplaySocket extends Duplex {
  constructor(
    private readonly socket: net.Socket,
    first: Buffer,
  ) {
    super();
    this.push(first);
    socket.on("data", (d: Buffer) => {
      if (!this.push(d)) socket.pause();
    });
    socket.on("end", () => this.push(null));
    socket.on("close", () => this.destroy());
  }

  public setNoDelay(noDelay?: boolean): this {
    this.socket.setNoDelay(noDelay);
    return this;
  }

  public setTimeout(ms: number, callback?: () => void): this {
    this.socket.setTimeout(ms, callback);
    return this;
  }

  public setKeepAlive(enable?: boolean, delay?: number): this {
    this.socket.setKeepAlive(enable, delay);
    return this;
  }

  _read(): void {
    this.socket.resume();
  }

  _write(chunk: Buffer, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.socket.write(chunk, encoding, callback);
  }

  _final(callback: (error?: Error | null) => void): void {
    this.socket.end();
    callback();
  }

  _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.socket.destroy();
    callback(error);
  }
}
