/**
 * Private set intersection for vertically split data: ECDH-PSI over ristretto255
 * (`@noble/curves`; no curve arithmetic here).
 *
 * Protocol (Meadows 1986; Huberman, Franklin, Hogg 1999), 2 rounds, symmetric; parties A and B
 * with ID sets I_A, I_B, a public session salt s and secret scalars a, b:
 * 1. Each hashes its IDs to the group, P(x) = H2C(s ‖ x) (RFC 9380 with a salted DST), and
 *    sends its blinded points a·P(x) (resp. b·P(y)) in a shuffled order.
 * 2. Each raises the other's points to its own key and sends them back in the received order:
 *    B returns b·(a·P(x)), A returns a·(b·P(y)).
 * 3. Each now holds ab·P for its own IDs (from the reply) and for the other's IDs (computing
 *    a·(b·P(y)) itself); the IDs whose double-blinded point is on both lists are the
 *    intersection. Both sides sort it by the double-blinded point's bytes: an order both agree
 *    on that reveals nothing about the IDs.
 * What each side learns: the size of the other's set and the intersection. The messages carry
 * only random-looking group elements (never raw IDs or unsalted hashes).
 */
import { randomBytes } from 'node:crypto';
import { ristretto255, ristretto255_hasher } from '@noble/curves/ed25519.js';
import { ProtocolError, ValueError } from '../errors.js';

const Point = ristretto255.Point;
type RPoint = InstanceType<typeof Point>;

/**
 * Sends and receives one PSI message (a list of 32-byte group elements) to and from the peer.
 * @example
 * ```ts
 * const [a, b] = memoryChannels();
 * ```
 */
export interface PsiChannel {
  send(points: Uint8Array[]): Promise<void>;
  receive(): Promise<Uint8Array[]>;
}

/**
 * The result of {@link psiIntersect}: the common IDs in the agreed order and their row in `ids`.
 * @example
 * ```ts
 * const { ids, rows } = await psiIntersect(myIds, channel, salt); // common IDs, my row of each
 * ```
 */
export interface PsiResult { ids: string[]; rows: number[] }

function randomScalar(): bigint {
  const n = Point.Fn.ORDER;
  for (;;) {
    const k = BigInt('0x' + randomBytes(64).toString('hex')) % n;
    if (k !== 0n) return k;
  }
}

function shuffled(n: number): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = randomBytes(4).readUInt32LE() % (i + 1);
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function decode(bytes: Uint8Array, what: string): RPoint {
  try { return Point.fromBytes(bytes); } catch { throw new ProtocolError(`PSI: the peer sent an invalid ristretto255 element in ${what}`); }
}

/**
 * Runs one side of ECDH-PSI with the peer on `channel`. Both sides must pass the same `salt`
 * (public, fresh per session: e.g. the session id).
 * @example
 * ```ts
 * const [ca, cb] = memoryChannels();
 * const [ra, rb] = await Promise.all([psiIntersect(['1', '2'], ca, 's1'), psiIntersect(['2', '3'], cb, 's1')]);
 * ra.ids; // ['2']
 * ```
 */
export async function psiIntersect(ids: readonly string[], channel: PsiChannel, salt: string): Promise<PsiResult> {
  if (typeof salt !== 'string' || salt.length === 0) throw new ValueError('PSI: `salt` must be a non-empty string');
  const seen = new Set<string>();
  ids.forEach((id, r) => {
    if (typeof id !== 'string') throw new ValueError(`PSI: ID at row ${r + 1} must be a string, got ${typeof id}`);
    if (seen.has(id)) throw new ValueError(`PSI: duplicate ID on row ${r + 1}`);
    seen.add(id);
  });
  const k = randomScalar();
  const DST = `tfe-js-psi-v1-ristretto255:${salt}`;
  const enc = new TextEncoder();
  // 1. blind own IDs, send shuffled
  const order = shuffled(ids.length);
  const mine = order.map((r) => ristretto255_hasher.hashToCurve(enc.encode(ids[r]!), { DST }).multiply(k).toBytes());
  await channel.send(mine);
  const theirs = await channel.receive();
  // 2. raise theirs to our key, return in received order
  const theirsDouble = theirs.map((b) => decode(b, 'round 1').multiply(k).toBytes());
  await channel.send(theirsDouble);
  const mineDouble = await channel.receive();
  if (mineDouble.length !== mine.length) throw new ProtocolError(`PSI: the peer returned ${mineDouble.length} elements in round 2, expected ${mine.length}`);
  // 3. intersect on the double-blinded points, order by their bytes
  const other = new Set(theirsDouble.map(hex));
  const common: { key: string; row: number }[] = [];
  mineDouble.forEach((b, i) => {
    const key = hex(decode(b, 'round 2').toBytes());
    if (other.has(key)) common.push({ key, row: order[i]! });
  });
  common.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  return { ids: common.map((c) => ids[c.row]!), rows: common.map((c) => c.row) };
}

/**
 * Two connected in-memory channels (one per side); `log` records every message sent.
 * @example
 * ```ts
 * const [a, b, log] = memoryChannels();
 * ```
 */
export function memoryChannels(): [PsiChannel, PsiChannel, { from: 0 | 1; points: Uint8Array[] }[]] {
  const log: { from: 0 | 1; points: Uint8Array[] }[] = [];
  const queues: Uint8Array[][][] = [[], []];
  const waiting: (((m: Uint8Array[]) => void) | undefined)[] = [undefined, undefined];
  const side = (me: 0 | 1): PsiChannel => ({
    async send(points) {
      log.push({ from: me, points: points.map((p) => Uint8Array.from(p)) });
      const to = 1 - me;
      const w = waiting[to];
      if (w) { waiting[to] = undefined; w(points); } else queues[to]!.push(points);
    },
    receive() {
      const q = queues[me]!;
      if (q.length) return Promise.resolve(q.shift()!);
      return new Promise((res) => { waiting[me] = res; });
    },
  });
  return [side(0), side(1), log];
}
