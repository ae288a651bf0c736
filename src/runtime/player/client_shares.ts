import { ProtocolError, ValueError } from '../../errors.js';
import { ServingRouter, type Frames } from '../transport/zmq/serving_sockets.js';
import { hostTensor, tensorBytes, tensorFromBytes } from '../wire/tensor_bytes.js';
import { registerLoader, registerSink } from './data_sources.js';

/**
 * Inputs that a serving client secret-shared itself, and outputs that go back to it
 * (src/serving, issue 19). Two data sources of a server player:
 *  - loader `client-share` `{bind, requestId, shape, timeoutMs}`: binds this player's serving
 *    address once, waits for the client's share of request `requestId` and returns it. A share
 *    of the wrong shape or size, a malformed message, or none within `timeoutMs`: the client
 *    gets an error from this player, the request is marked failed and zeros stand in, so the
 *    other requests of the batch still run.
 *  - sink `client-reply` `{bind, requestId}`: sends this player's share of the output to the
 *    connection that sent the request's input share (its ZeroMQ routing id), and to no one else.
 * The driver only ever sees request ids and shapes.
 *
 * Messages (multipart, frames as UTF-8 unless noted):
 *   client → player: `hello, clientId` · `share, requestId, {"shape":[...]}, <u64 LE bytes>`
 *   player → client: `result, requestId, {"shape":[...],"fracBits":f}, <u64 LE bytes>` · `error, requestId, message, errorClass`
 * A request id is `<clientId>:<n>`, so a player can report a timeout to a client that sent it nothing.
 *
 * @example
 * ```ts
 * rt.input('server0', { kind: 'source', loader: 'client-share', args: { bind: 'tcp://127.0.0.1:6001', requestId: 'c1:0', shape: [1, 784], timeoutMs: 5000 }, shape: [1, 784], ring: U64 });
 * ```
 */
export const SHARE_INBOX_LIMIT = 4096;
const INBOX_TTL_MS = 60_000;
/** Bytes of shares held for requests not yet asked for, at most (with SHARE_INBOX_LIMIT shares). */
export const SHARE_INBOX_BYTES = 256 * 2 ** 20;

interface Arrived { from: Buffer; frames: Frames; at: number }
interface Endpoint {
  router: ServingRouter;
  inbox: Map<string, Arrived>;
  inboxBytes: number;
  waiters: Map<string, (a: Arrived) => void>;
  replyTo: Map<string, Buffer>;
  clients: Map<string, Buffer>;
  failed: Set<string>;
}

const endpoints = new Map<string, Promise<Endpoint>>();

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
  if (ep.inbox.size >= SHARE_INBOX_LIMIT || ep.inboxBytes + bytes > SHARE_INBOX_BYTES) {
    reject(ep, from, requestId, `${player} holds too many shares not yet asked for (at most ${SHARE_INBOX_LIMIT} shares, ${SHARE_INBOX_BYTES >> 20} MiB); retry later`);
    return;
  }
  ep.inbox.set(requestId, arrived);
  ep.inboxBytes += bytes;
}

/** Drops a held share and its bytes from the inbox count. */
function forget(ep: Endpoint, id: string, a: Arrived): void {
  if (!ep.inbox.delete(id)) return;
  ep.inboxBytes -= a.frames.reduce((n, f) => n + f.length, 0);
}

function endpoint(player: string, bind: string): Promise<Endpoint> {
  if (typeof bind !== 'string' || !/^tcp:\/\/[^\s]+:\d+$/.test(bind)) throw new ValueError(`client-share: \`bind\` must be tcp://HOST:PORT, got ${JSON.stringify(bind)}`);
  const key = `${player}|${bind}`;
  let ep = endpoints.get(key);
  if (!ep) {
    const state: Partial<Endpoint> = { inbox: new Map(), inboxBytes: 0, waiters: new Map(), replyTo: new Map(), clients: new Map(), failed: new Set() };
    ep = ServingRouter.bind(bind, (from, frames) => onMessage(state as Endpoint, player, from, frames)).then((router) => {
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

function parseShare(a: Arrived, shape: number[], player: string, requestId: string): ReturnType<typeof tensorFromBytes> {
  let header: unknown;
  try { header = JSON.parse(a.frames[2].toString()); } catch { throw new ProtocolError(`request \`${requestId}\` at ${player}: header is not JSON`); }
  const got = (header as { shape?: unknown })?.shape;
  if (!Array.isArray(got) || got.length !== shape.length || got.some((d, i) => d !== shape[i])) {
    throw new ValueError(`request \`${requestId}\` at ${player}: expected a share of shape [${shape.join(',')}], found ${JSON.stringify(got)?.slice(0, 80)}`);
  }
  return tensorFromBytes({ shape, ring: { dtype: 'u64' } }, a.frames[3]);
}

registerLoader('client-share', async (args, ctx) => {
  const { bind, requestId, shape, timeoutMs = 10_000 } = args as { bind: string; requestId: string; shape: number[]; timeoutMs?: number };
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new ValueError('client-share: `shape` must be an array of non-negative integers');
  if (typeof requestId !== 'string') throw new ValueError('client-share: `requestId` must be a string');
  if (typeof timeoutMs !== 'number' || !(timeoutMs > 0)) throw new ValueError('client-share: `timeoutMs` must be a positive number');
  ctx.declare?.('share'); // a client's share, not this player's data
  const ep = await endpoint(ctx.player, bind);
  const zeros = () => hostTensor(new BigUint64Array(shape.reduce((a, b) => a * b, 1)), shape, { dtype: 'u64' });
  if (requestId === '') return zeros(); // deploy: just bind
  let arrived = ep.inbox.get(requestId);
  if (arrived) forget(ep, requestId, arrived);
  if (!arrived) {
    arrived = await new Promise<Arrived | undefined>((resolve) => {
      const timer = setTimeout(() => { ep.waiters.delete(requestId); resolve(undefined); }, timeoutMs);
      ep.waiters.set(requestId, (a) => { clearTimeout(timer); resolve(a); });
    });
  }
  if (!arrived) {
    ep.failed.add(requestId);
    reject(ep, ep.clients.get(clientOf(requestId)), requestId, `request \`${requestId}\`: ${ctx.player} received no share within ${timeoutMs} ms`, 'CommunicationError');
    return zeros();
  }
  ep.replyTo.set(requestId, arrived.from);
  try {
    return parseShare(arrived, shape, ctx.player, requestId);
  } catch (e) {
    ep.failed.add(requestId);
    reject(ep, arrived.from, requestId, (e as Error).message, e instanceof ValueError ? 'ValueError' : 'ProtocolError');
    return zeros();
  }
});

registerSink('client-reply', async (t, args, ctx) => {
  const { bind, requestId, fracBits } = args as { bind: string; requestId: string; fracBits?: number };
  const ep = await endpoint(ctx.player, bind);
  const to = ep.replyTo.get(requestId);
  ep.replyTo.delete(requestId);
  if (ep.failed.delete(requestId) || !to) return; // the client already has its error
  await ep.router.send(to, [Buffer.from('result'), Buffer.from(requestId), Buffer.from(JSON.stringify({ shape: t.shape, fracBits })), Buffer.from(tensorBytes(t))]);
}, { remote: true });
