import { ProtocolError, ValueError } from '../../errors.js';
import { ServingRouter, type Frames } from '../transport/zmq/serving_sockets.js';
import { copyOf } from '../wire/codec.js';
import { MAX_WIRE_ELEMENTS } from '../wire/instructions.js';
import { hostTensor, tensorBytes, tensorFromBytes } from '../wire/tensor_bytes.js';
import { registerLoader, registerSink } from './data_sources.js';

/**
 * Inputs that a serving client secret-shared itself, and outputs that go back to it
 * (src/serving, issue 19). Two data sources of a server player:
 *  - loader `client-share` `{bind, requests: [{id, rows}], features, timeoutMs}`: binds this
 *    player's serving address once, waits (all at once, one deadline) for the clients' shares
 *    of a whole batch and returns them stacked in request order, shape [Σ rows, ...features].
 *    A share of the wrong shape or size, a malformed message, or none within `timeoutMs`: that
 *    client gets an error from this player, the request is marked failed and zeros stand in
 *    for its rows, so the other requests of the batch still run. No requests: just bind.
 *  - loader `client-share-status` `{bind, requests}` (after `client-share` on the same player):
 *    u64 [R], 1 where this player placed the request's share, 0 where it failed. The servers
 *    exchange these (request-level metadata, no share) so that neither answers a request the
 *    other could not serve.
 *  - sink `client-reply` `{bind, requests: [{id, rows}], fracBits, features}`: the tensor is
 *    flat: this player's share of the batch output (rows of `features`), then R words that
 *    are 1 where both servers hold the request's share. It sends each such request its rows,
 *    to the connection that sent its input share (its ZeroMQ routing id) and to no one else;
 *    a request with 0 gets nothing from this player (the server that missed its share has
 *    sent the client the error).
 * The driver only ever sees request ids and shapes.
 *
 * Messages (multipart, frames as UTF-8 unless noted):
 *   client → player: `hello, clientId` · `share, requestId, {"shape":[...]}, <u64 LE bytes>`
 *   player → client: `result, requestId, {"shape":[...],"fracBits":f}, <u64 LE bytes>` · `error, requestId, message, errorClass`
 * A request id is `<clientId>:<n>`, so a player can report a timeout to a client that sent it nothing.
 *
 * @example
 * ```ts
 * rt.input('server0', { kind: 'source', loader: 'client-share', args: { bind: 'tcp://127.0.0.1:6001', requests: [{ id: 'c1:0', rows: 1 }], features: [784], timeoutMs: 5000 }, shape: [1, 784], ring: U64 });
 * ```
 */
export const SHARE_INBOX_LIMIT = 4096;
const INBOX_TTL_MS = 60_000;
/**
 * Shares held for requests not yet asked for, at most, from one connection: a flood from one
 * sender fills its own quota, not the inbox that every other client needs.
 */
export const SHARE_INBOX_PER_CONNECTION = 256;
/** Bytes of shares held for requests not yet asked for, at most (with SHARE_INBOX_LIMIT shares). */
export const SHARE_INBOX_BYTES = 256 * 2 ** 20;

interface Arrived { from: Buffer; frames: Frames; at: number }
interface Endpoint {
  router: ServingRouter;
  inbox: Map<string, Arrived>;
  inboxBytes: number;
  /** Held shares per sending connection (routing id, hex). */
  perConnection: Map<string, number>;
  waiters: Map<string, (a: Arrived) => void>;
  replyTo: Map<string, Buffer>;
  clients: Map<string, Buffer>;
  failed: Set<string>;
}

const endpoints = new Map<string, Promise<Endpoint>>();
/** CURVE secret keys of the players of this process that run with CURVE, by name. */
const curveSecrets = new Map<string, string>();

/**
 * Makes `player`'s serving address a CURVE server with the player's own key pair (its public
 * key is in the config; the service advertises it to clients). Called by a CURVE player daemon.
 * @example
 * ```ts
 * setServingCurveKey('server0', secretKey);
 * ```
 */
export function setServingCurveKey(player: string, secretKey: string): void {
  curveSecrets.set(player, secretKey);
}

/** Splits `<clientId>:<n>`; '' when the id has no client part. */
const clientOf = (requestId: string): string => (requestId.includes(':') ? requestId.slice(0, requestId.lastIndexOf(':')) : '');

type ErrorKind = 'ValueError' | 'ProtocolError' | 'CommunicationError';

function reject(ep: Endpoint, to: Buffer | undefined, requestId: string, message: string, kind: ErrorKind = 'ProtocolError'): void {
  if (to) void ep.router.send(to, [Buffer.from('error'), Buffer.from(requestId), Buffer.from(message), Buffer.from(kind)]);
}

function onMessage(ep: Endpoint, player: string, from: Buffer, frames: Frames): void {
  const kind = frames[0]?.toString();
  const requestId = frames[1]?.toString() ?? '';
  if (kind === 'hello' && frames.length === 2) {
    if (ep.clients.size > SHARE_INBOX_LIMIT) ep.clients.delete(ep.clients.keys().next().value!);
    ep.clients.set(requestId, from);
    return;
  }
  if (kind !== 'share' || frames.length !== 4 || !requestId || requestId.length > 200) {
    reject(ep, from, requestId.slice(0, 200), `malformed message at ${player}: expected 4 frames [share, requestId, {"shape":[...]}, bytes], found ${frames.length} frame(s) starting with \`${(kind ?? '').slice(0, 16)}\``);
    return;
  }
  if (ep.replyTo.has(requestId) || ep.inbox.has(requestId)) {
    reject(ep, from, requestId, `request \`${requestId}\` was already received by ${player}`);
    return;
  }
  const now = Date.now();
  for (const [id, a] of ep.inbox) if (now - a.at > INBOX_TTL_MS) forget(ep, id, a);
  const arrived = { from, frames, at: now };
  const waiter = ep.waiters.get(requestId);
  if (waiter) { ep.waiters.delete(requestId); waiter(arrived); return; }
  const bytes = frames.reduce((n, f) => n + f.length, 0);
  const conn = from.toString('hex');
  if ((ep.perConnection.get(conn) ?? 0) >= SHARE_INBOX_PER_CONNECTION) {
    reject(ep, from, requestId, `${player} holds too many shares not yet asked for from this connection (at most ${SHARE_INBOX_PER_CONNECTION}); retry later`);
    return;
  }
  if (ep.inbox.size >= SHARE_INBOX_LIMIT || ep.inboxBytes + bytes > SHARE_INBOX_BYTES) {
    reject(ep, from, requestId, `${player} holds too many shares not yet asked for (at most ${SHARE_INBOX_LIMIT} shares, ${SHARE_INBOX_BYTES >> 20} MiB); retry later`);
    return;
  }
  ep.inbox.set(requestId, arrived);
  ep.inboxBytes += bytes;
  ep.perConnection.set(conn, (ep.perConnection.get(conn) ?? 0) + 1);
}

/** Drops a held share and its bytes from the inbox count. */
function forget(ep: Endpoint, id: string, a: Arrived): void {
  if (!ep.inbox.delete(id)) return;
  ep.inboxBytes -= a.frames.reduce((n, f) => n + f.length, 0);
  const conn = a.from.toString('hex');
  const held = (ep.perConnection.get(conn) ?? 1) - 1;
  if (held > 0) ep.perConnection.set(conn, held);
  else ep.perConnection.delete(conn);
}

function endpoint(player: string, bind: string): Promise<Endpoint> {
  if (typeof bind !== 'string' || !/^tcp:\/\/[^\s]+:\d+$/.test(bind)) throw new ValueError(`client-share: \`bind\` must be tcp://HOST:PORT, got ${JSON.stringify(bind)}`);
  const key = `${player}|${bind}`;
  let ep = endpoints.get(key);
  if (!ep) {
    const state: Partial<Endpoint> = { inbox: new Map(), inboxBytes: 0, perConnection: new Map(), waiters: new Map(), replyTo: new Map(), clients: new Map(), failed: new Set() };
    const secretKey = curveSecrets.get(player);
    ep = ServingRouter.bind(bind, (from, frames) => onMessage(state as Endpoint, player, from, frames), secretKey ? { secretKey } : undefined).then((router) => {
      state.router = router;
      return state as Endpoint;
    });
    ep.catch(() => endpoints.delete(key));
    endpoints.set(key, ep);
  }
  return ep;
}

/**
 * Closes every serving address bound in this process (tests, `serve().close()` in LocalConfig).
 * @example
 * ```ts
 * await closeClientEndpoints();
 * ```
 */
export async function closeClientEndpoints(bind?: string): Promise<void> {
  for (const [key, ep] of [...endpoints]) {
    if (bind && !key.endsWith(`|${bind}`)) continue;
    endpoints.delete(key);
    (await ep.catch(() => undefined))?.router.close();
  }
}

/** The requests of one batch, in row order: `[{id, rows}, ...]`, checked. */
interface BatchRequest { id: string; rows: number }

function requestsOf(args: Record<string, unknown>): BatchRequest[] {
  const rs = args.requests;
  const ok = Array.isArray(rs) && rs.every((r) => typeof r?.id === 'string' && r.id.length <= 200 && Number.isSafeInteger(r.rows) && r.rows >= 1);
  if (!ok) throw new ValueError('client-share: `requests` must be a list of {id, rows} with 1 ≤ rows');
  return rs as BatchRequest[];
}

function parseShare(a: Arrived, shape: number[], player: string, requestId: string): BigUint64Array {
  let header: unknown;
  try { header = JSON.parse(a.frames[2].toString()); } catch { throw new ProtocolError(`request \`${requestId}\` at ${player}: header is not JSON`); }
  const got = (header as { shape?: unknown })?.shape;
  if (!Array.isArray(got) || got.length !== shape.length || got.some((d, i) => d !== shape[i])) {
    throw new ValueError(`request \`${requestId}\` at ${player}: expected a share of shape [${shape.join(',')}], found ${JSON.stringify(got)?.slice(0, 80)}`);
  }
  return tensorFromBytes({ shape, ring: { dtype: 'u64' } }, a.frames[3]).values() as BigUint64Array;
}

/** The share of `requestId` from the inbox, or when it arrives; undefined after `deadline`. */
function arrival(ep: Endpoint, requestId: string, deadline: number): Arrived | Promise<Arrived | undefined> {
  const held = ep.inbox.get(requestId);
  if (held) { forget(ep, requestId, held); return held; }
  return new Promise<Arrived | undefined>((resolve) => {
    const timer = setTimeout(() => { ep.waiters.delete(requestId); resolve(undefined); }, Math.max(0, deadline - Date.now()));
    ep.waiters.set(requestId, (a) => { clearTimeout(timer); resolve(a); });
  });
}

/** Puts one request's share into rows [offset, offset + rows) of `out`, or answers its client with the error. */
function place(ep: Endpoint, player: string, r: BatchRequest, a: Arrived | undefined, features: number[], timeoutMs: number, out: BigUint64Array, offset: number): void {
  if (!a) {
    ep.failed.add(r.id);
    reject(ep, ep.clients.get(clientOf(r.id)), r.id, `request \`${r.id}\`: ${player} received no share within ${timeoutMs} ms`, 'CommunicationError');
    return;
  }
  ep.replyTo.set(r.id, a.from);
  try {
    out.set(parseShare(a, [r.rows, ...features], player, r.id), offset);
  } catch (e) {
    ep.failed.add(r.id);
    reject(ep, a.from, r.id, (e as Error).message, e instanceof ValueError ? 'ValueError' : 'ProtocolError');
  }
}

registerLoader('client-share', async (args, ctx) => {
  const { bind, features, timeoutMs = 10_000 } = args as { bind: string; features: number[]; timeoutMs?: number };
  if (!Array.isArray(features) || !features.every((d) => Number.isSafeInteger(d) && d >= 1)) throw new ValueError('client-share: `features` must be an array of positive integers');
  if (typeof timeoutMs !== 'number' || !(timeoutMs > 0)) throw new ValueError('client-share: `timeoutMs` must be a positive number');
  const requests = requestsOf(args);
  const width = features.reduce((a, b) => a * b, 1);
  const rows = requests.reduce((n, r) => n + r.rows, 0);
  // bounded before anything is allocated or bound, like every tensor a driver names
  if (rows * width > MAX_WIRE_ELEMENTS) throw new ValueError(`client-share: ${rows} rows of ${width} features is more than ${MAX_WIRE_ELEMENTS} elements`);
  ctx.declare?.('share'); // a client's share, not this player's data
  const ep = await endpoint(ctx.player, bind);
  const out = new BigUint64Array(rows * width); // a request without a valid share stays zero
  const deadline = Date.now() + timeoutMs;
  // every share of the batch is awaited at once: one slow client costs the batch one timeout
  const arrived = await Promise.all(requests.map((r) => arrival(ep, r.id, deadline)));
  let offset = 0;
  requests.forEach((r, k) => { place(ep, ctx.player, r, arrived[k], features, timeoutMs, out, offset); offset += r.rows * width; });
  return hostTensor(out, [rows, ...features], { dtype: 'u64' });
});

registerLoader('client-share-status', async (args, ctx) => {
  const { bind } = args as { bind: string };
  const requests = requestsOf(args);
  ctx.declare?.('public'); // which requests' shares arrived: the driver knows the ids already
  const ep = await endpoint(ctx.player, bind);
  return hostTensor(BigUint64Array.from(requests, (r) => (ep.failed.has(r.id) || !ep.replyTo.has(r.id) ? 0n : 1n)), [requests.length], { dtype: 'u64' });
});

registerSink('client-reply', async (t, args, ctx) => {
  const { bind, fracBits, features } = args as { bind: string; fracBits?: number; features?: number[] };
  const requests = requestsOf(args);
  if (!(Array.isArray(features) && features.every((d) => Number.isSafeInteger(d) && d >= 1))) throw new ValueError(`client-reply: \`features\` must be the output row shape, positive integers, got ${JSON.stringify(features)?.slice(0, 80)}`);
  const ep = await endpoint(ctx.player, bind);
  // flat: [total·width output values, then one agreed-status word per request]
  const total = requests.reduce((n, r) => n + r.rows, 0);
  const width = features.reduce((a, b) => a * b, 1);
  if (t.size !== total * width + requests.length) throw new ValueError(`client-reply: expected ${total} rows of ${width} values and ${requests.length} status words, got ${t.size} values`);
  const bytes = tensorBytes(t);
  const status = (t.values() as BigUint64Array).subarray(total * width);
  let offset = 0;
  const sends: Promise<void>[] = [];
  for (const [k, r] of requests.entries()) {
    const part = bytes.subarray(offset * width * 8, (offset + r.rows) * width * 8);
    offset += r.rows;
    const to = ep.replyTo.get(r.id);
    ep.replyTo.delete(r.id);
    if (ep.failed.delete(r.id) || !to) continue; // the client already has its error
    if (status[k] !== 1n) continue; // the other server missed this share and said so to the client
    const header = JSON.stringify({ shape: [r.rows, ...features], fracBits });
    sends.push(ep.router.send(to, [Buffer.from('result'), Buffer.from(r.id), Buffer.from(header), copyOf(part)])); // a copy: t's storage goes back after this
  }
  await Promise.all(sends);
}, { remote: true });
