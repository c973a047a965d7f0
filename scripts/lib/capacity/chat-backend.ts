/**
 * What the chat's Go backend (github.com/Faaizz/simple_http_chatapp, read at
 * its HEAD, "feature/add X-Ray tracing") does for each route of its contract
 * (../shared/seeds/chat-contract.md), in DynamoDB request units and
 * @connections calls, for `npm run capacity -- chat`.
 *
 * From src/types/dynamoddb_adapter.go and src/business/*.go:
 * - `$connect`: PutItem {connectionId} (1 write unit).
 * - `username`: Scan with `username = :val`, ConsistentRead (CheckUsername),
 *   then PutItem {connectionId, username} (1 write unit).
 * - `online`: Scan (eventually consistent, AvailableUsers), then one
 *   PostToConnection with the JSON list of users to the caller.
 * - `message`: Scan with `username = :val`, ConsistentRead (ConnectionID of
 *   the target), GetItem of the sender (eventually consistent, Username),
 *   then one PostToConnection to the target.
 * - `$disconnect`: DeleteItem (1 write unit).
 *
 * A Scan reads the whole table, up to its first 1 MB page (the backend
 * never reads a second page: targets and users past it are not found), and
 * consumes one read unit per 4 KB scanned (half for eventually consistent
 * reads), whatever the filter keeps (DynamoDB developer guide, "Read
 * consumption for Scan"). Scans make the chat's reads grow with the number
 * of connections times the message rate: the cost line and the table's
 * 40,000 read units a second say when that matters.
 */

/** Bytes of a connections table item as DynamoDB sizes it: attribute names plus values (`connectionId`, 16 characters; `username`, about 10). */
export const ITEM_BYTES = "connectionId".length + 16 + "username".length + 10;

/** A Scan reads at most 1 MB a page; the backend reads one page. */
export const SCAN_PAGE_BYTES = 1024 * 1024;

/** One user in the `online` list: `{"connectionId":"<16>","username":"<10>"},`. */
export const ONLINE_ENTRY_BYTES = '{"connectionId":"","username":""},'.length + 16 + 10;

/** Bytes the `message` route's reply and @connections text add to the frame: `sent message: ...\nto: ...` and `<sender>: `. */
export const REPLY_OVERHEAD_BYTES = 40;

/** Bytes a Scan of a table of `connections` items reads (its first page). */
export function scanBytes(connections: number): number {
  return Math.min(connections * ITEM_BYTES, SCAN_PAGE_BYTES);
}

/** Read units of one Scan. */
export function scanReadUnits(connections: number, consistent: boolean): number {
  const units = Math.max(1, Math.ceil(scanBytes(connections) / 4096));
  return consistent ? units : units / 2;
}

/** Users in the `online` reply: those on the first Scan page. */
export function onlineUsers(connections: number): number {
  return Math.min(connections, Math.floor(SCAN_PAGE_BYTES / ITEM_BYTES));
}

/** What the chat backend does per event, in DynamoDB units, @connections calls and API Gateway messages. */
export interface ChatWork {
  readonly readUnits: number;
  readonly writeUnits: number;
  /** @connections PostToConnection calls. */
  readonly callbacks: number;
}

/** Per new connection: `$connect`, the frontend's `username` and `online` frames, and the `$disconnect` that ends it. */
export function perConnection(connections: number): ChatWork {
  return {
    readUnits: scanReadUnits(connections, true) + scanReadUnits(connections, false),
    writeUnits: 3,
    callbacks: 1,
  };
}

/** Per `message` frame. */
export function perMessage(connections: number): ChatWork {
  return { readUnits: scanReadUnits(connections, true) + 0.5, writeUnits: 0, callbacks: 1 };
}

/** Bytes of the `online` list the backend posts (and returns) for a table of `connections`. */
export function onlineListBytes(connections: number): number {
  return 2 + onlineUsers(connections) * ONLINE_ENTRY_BYTES;
}
