import { randomBytes } from "crypto";

let pool: Buffer = Buffer.alloc(0);
let poolOffset = 0;

/** An id in the form API Gateway gives connections and requests (`L0SM9cOFvHcCIhw=`): 11 random bytes, from a pool refilled 4 KB at a time. */
export function newId(): string {
  if (poolOffset + 11 > pool.length) {
    pool = randomBytes(4096);
    poolOffset = 0;
  }
  const id = `${pool.toString("base64url", poolOffset, poolOffset + 11)}=`;
  poolOffset += 11;
  return id;
}

/**
 * Whether a connection id has API Gateway's form: 11 bytes in base64url, 15
 * characters and a `=` (e.g. `L0SM9cOFvHcCIhw=`, `JC1dgf9yoAMCK-g=`).
 * @connections answers any other id with 400 BadRequestException "Invalid
 * connectionId", a well-formed one that is not connected with 410.
 */
export function isConnectionId(id: string): boolean {
  return /^[A-Za-z0-9_-]{15}=$/.test(id);
}
