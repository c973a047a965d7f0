/**
 * Watches the frames a client sends, before the WebSocket library reassembles
 * them into messages, and reports a data frame whose payload is larger than
 * the limit: API Gateway's 32 KB frame quota applies to each frame ("messages
 * larger than 32 KB must be split into multiple frames, each 32 KB or
 * smaller ... if a larger message (or larger frame size) is received, the
 * connection is closed with code 1009").
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-execution-service-websocket-limits-table.html
 *
 * It parses frame headers only (RFC 6455 section 5.2) and skips payloads by
 * counting, so it costs a few operations per frame.
 */
export class FrameSizeGuard {
  private header: number[] = [];
  private needed = 2;
  private skip = 0;
  private tripped = false;

  constructor(
    private readonly limit: number,
    private readonly onTooLarge: (payloadLength: number) => void,
  ) {}

  /** Feeds bytes the client sent. */
  public feed(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length && !this.tripped) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - i);
        this.skip -= n;
        i += n;
        continue;
      }
      this.header.push(chunk[i++]);
      if (this.header.length === 2) {
        const len7 = this.header[1] & 0x7f;
        const masked = (this.header[1] & 0x80) !== 0;
        this.needed = 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (masked ? 4 : 0);
      }
      if (this.header.length >= 2 && this.header.length === this.needed) this.frameStart();
    }
  }

  private frameStart(): void {
    const h = this.header;
    const len7 = h[1] & 0x7f;
    let length = len7;
    if (len7 === 126) length = h[2] * 0x100 + h[3];
    else if (len7 === 127) length = h.slice(2, 10).reduce((acc, b) => acc * 256 + b, 0);
    const opcode = h[0] & 0x0f;
    this.header = [];
    this.needed = 2;
    this.skip = length;
    // Data and continuation frames (opcodes 0-7); control frames are at most 125 bytes.
    if (opcode < 8 && length > this.limit) {
      this.tripped = true;
      this.onTooLarge(length);
    }
  }
}
