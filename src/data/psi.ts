/**
 * Private set intersection for vertically split data: ECDH-PSI with X25519 (RFC 7748): the
 * native addon's constant-time Montgomery ladder (native/x25519.cc, checked against OpenSSL by
 * the tests), or node:crypto's (OpenSSL) where the addon is not built.
 *
 * Protocol (Meadows 1986; Huberman, Franklin, Hogg 1999), 2 rounds, symmetric; parties A and B
 * with ID sets I_A, I_B, a public session salt s and fresh secret X25519 keys a, b:
 * 1. Each hashes its IDs to u-coordinates, H(x) = SHA-512(DST ‖ s ‖ x)[0..32) with the top bit
 *    cleared, and sends X25519(a, H(x)) (resp. X25519(b, H(y))) for its IDs in a shuffled order.
 * 2. Each applies its own key to the other's elements and sends them back in the received
 *    order: B returns X25519(b, X25519(a, H(x))), A returns X25519(a, X25519(b, H(y))).
 * 3. X25519 is commutative (x-only scalar multiplication: [a][b]P = [b][a]P, and ±P give the
 *    same u), so each side now holds the double-blinded value of its own IDs (the reply) and of
 *    the other's (computed itself); the IDs whose values are on both lists are the
 *    intersection. Both sides sort it by the double-blinded bytes: an order both agree on that
 *    reveals nothing about the IDs.
 *
 * Security (semi-honest, random oracle H): a hashed u-coordinate is a point of Curve25519
 * (order 8·ℓ) or of its quadratic twist (order 4·ℓ'), ℓ and ℓ' primes of 252–253 bits. An
 * X25519 scalar is clamped to a multiple of 8, which clears either cofactor, so every value on
 * the wire is a (±) element of one of the two prime-order groups, blinded by the same secret
 * exponent. The messages are pseudorandom under DDH in those groups with clamped exponents: the
 * assumption X25519 key agreement rests on (Curve25519 was chosen to be twist-secure). What each
 * side learns: the size of the other's set and the intersection. The messages carry only
 * random-looking 32-byte values, never raw IDs or unsalted hashes. A peer's element that is
 * not a canonical u-coordinate, or that yields the all-zero output (a low-order point), is a
 * ProtocolError. Why not ristretto255 (a prime-order group itself): the pure-JS implementation
 * does about 1,200 multiplications a second, libsodium's about 12,000; X25519 does about 20,000
 * through node:crypto, where each peer element needs a KeyObject (its creation costs over two
 * times the multiplication), and about 40,000 a second per core in the addon.
 */
import { createPrivateKey, createPublicKey, diffieHellman, hash, randomFillSync, type KeyObject } from 'node:crypto';
import { loadBinding } from '../kernels/native/binding.js';
import { ProtocolError, ValueError } from '../errors.js';
import type { PsiChannel } from './psi_channel.js';



/**
 * The result of {@link psiIntersect}: the common IDs in the agreed order and their row in `ids`.
 * @example
 * ```ts
 * const { ids, rows } = await psiIntersect(myIds, channel, salt); // common IDs, my row of each
 * ```
 */
export interface PsiResult { ids: string[]; rows: number[] }

/**
 * Bytes of one element on the wire (an X25519 u-coordinate, little-endian).
 * @example
 * ```ts
 * const elements = message.byteLength / PSI_ELEMENT_BYTES;
 * ```
 */
export const PSI_ELEMENT_BYTES = 32;
const DST = 'tfe-js-psi-v2-x25519';
/** Elements per step between two turns of the event loop (sockets keep flowing). */
const STEP = 2048;

/** A cryptographically random permutation of 0..n−1 (Fisher–Yates on 53-bit uniforms). */
function shuffled(n: number): Uint32Array {
  const p = Uint32Array.from({ length: n }, (_, i) => i);
  const r = randomFillSync(new Uint32Array(2 * n));
  for (let i = n - 1; i > 0; i--) {
    const u = ((r[2 * i]! >>> 11) * 4294967296 + r[2 * i + 1]!) / 2 ** 53;
    const j = Math.floor(u * (i + 1));
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p;
}

/** u < 2^255 − 19, little-endian: the canonical encodings X25519 outputs. */
function canonical(b: Uint8Array, at: number): boolean {
  if (b[at + 31]! < 0x7f) return true;
  if (b[at + 31]! > 0x7f) return false;
  for (let i = 30; i >= 1; i--) if (b[at + i] !== 0xff) return true;
  return b[at]! < 0xed;
}

/** The addon's X25519, or undefined where the addon is not built (node:crypto's is used then). */
function nativeX25519(): ((scalar: Uint8Array, points: Uint8Array) => Promise<Uint8Array>) | undefined {
  try {
    const nb = loadBinding();
    return typeof nb.x25519 === 'function' ? async (scalar, points) => nb.x25519(scalar, points, true) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * X25519(scalar, u) for each u of `input` through node:crypto (a KeyObject per element; all
 * zeros where OpenSSL refuses a low-order result): PSI's path where the addon is not built.
 * @internal
 * @example
 * ```ts
 * const out = await opensslX25519(scalar, points); // 32 bytes per point
 * ```
 */
export async function opensslX25519(scalar: Uint8Array, input: Uint8Array): Promise<Uint8Array> {
  const der = Buffer.concat([PKCS8_X25519, scalar]);
  const key: KeyObject = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  der.fill(0);
  const n = input.length / PSI_ELEMENT_BYTES;
  const out = new Uint8Array(input.length);
  for (let s = 0; s < n; s += STEP) {
    for (let i = s, end = Math.min(n, s + STEP); i < end; i++) {
      const at = i * PSI_ELEMENT_BYTES;
      const u = Buffer.from(input.buffer, input.byteOffset + at, PSI_ELEMENT_BYTES);
      let z: Buffer;
      try {
        z = diffieHellman({ privateKey: key, publicKey: createPublicKey({ key: Buffer.concat([SPKI_X25519, u]), format: 'der', type: 'spki' }) });
      } catch {
        z = Buffer.alloc(PSI_ELEMENT_BYTES); // OpenSSL refuses the all-zero result of a low-order point: reported below
      }
      out.set(z, at);
    }
    if (s + STEP < n) await new Promise((res) => setImmediate(res));
  }
  return out;
}

/** DER prefixes of an X25519 private key (PKCS#8) and public key (SPKI) around the raw 32 bytes. */
const PKCS8_X25519 = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_X25519 = Buffer.from('302a300506032b656e032100', 'hex');

/**
 * X25519(scalar, u) for every 32-byte u of `input`, in the same order. With `check` (the peer's
 * elements), a non-canonical u or a low-order one (all-zero result) is a ProtocolError.
 */
async function blind(scalar: Uint8Array, input: Uint8Array, what: string, check: boolean): Promise<Uint8Array> {
  const n = input.length / PSI_ELEMENT_BYTES;
  if (check) {
    for (let i = 0; i < n; i++) if (!canonical(input, i * PSI_ELEMENT_BYTES)) throw new ProtocolError(`PSI: the peer sent a non-canonical X25519 element in ${what}`);
  }
  const out = await (nativeX25519() ?? opensslX25519)(scalar, input);
  const words = new Uint32Array(out.buffer, out.byteOffset, out.length / 4); // a fresh array: aligned
  for (let i = 0; i < words.length; i += 8) {
    if ((words[i]! | words[i + 1]! | words[i + 2]! | words[i + 3]! | words[i + 4]! | words[i + 5]! | words[i + 6]! | words[i + 7]!) === 0) {
      throw new ProtocolError(`PSI: the peer sent a low-order X25519 element in ${what}`);
    }
  }
  return out;
}

/** H(x): SHA-512 of the domain tag, the salt and the ID, truncated to a u-coordinate. */
function hashIds(ids: readonly string[], order: Uint32Array, salt: string): Uint8Array {
  // one-shot hashes of prefix ‖ ID (UTF-8 of the concatenation is the concatenation of the UTF-8s: the prefix ends in NUL)
  const prefix = `${DST}\0${Buffer.byteLength(salt)}:${salt}\0`;
  const out = new Uint8Array(ids.length * PSI_ELEMENT_BYTES);
  order.forEach((r, i) => {
    const h = hash('sha512', prefix + ids[r]!, 'buffer');
    h[31]! &= 0x7f;
    out.set(h.subarray(0, PSI_ELEMENT_BYTES), i * PSI_ELEMENT_BYTES);
  });
  return out;
}

async function receive(channel: PsiChannel, n: number | undefined, what: string): Promise<Uint8Array> {
  const m = await channel.receive();
  if (!(m instanceof Uint8Array) || m.length % PSI_ELEMENT_BYTES !== 0) throw new ProtocolError(`PSI: the peer's message in ${what} is not a list of ${PSI_ELEMENT_BYTES}-byte elements`);
  if (n !== undefined && m.length !== n * PSI_ELEMENT_BYTES) throw new ProtocolError(`PSI: the peer returned ${m.length / PSI_ELEMENT_BYTES} elements in ${what}, expected ${n}`);
  return m;
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
  const key = randomFillSync(new Uint8Array(32)); // clamped inside X25519 (RFC 7748 §5)
  const order = shuffled(ids.length);
  let theirsDouble: Uint8Array, mineDouble: Uint8Array;
  try {
    // 1. blind own IDs, send them shuffled
    await channel.send(await blind(key, hashIds(ids, order, salt), 'round 1', false));
    // 2. apply our key to theirs, return them in the received order
    theirsDouble = await blind(key, await receive(channel, undefined, 'round 1'), 'round 1', true);
    await channel.send(theirsDouble);
    mineDouble = await receive(channel, ids.length, 'round 2');
  } finally {
    key.fill(0);
  }
  // 3. intersect on the double-blinded values, order by their bytes
  // latin1 keys: one character per byte, so they sort as the bytes do (and cost half of hex)
  const theirs = Buffer.from(theirsDouble.buffer, theirsDouble.byteOffset, theirsDouble.length);
  const mine = Buffer.from(mineDouble.buffer, mineDouble.byteOffset, mineDouble.length);
  const keyAt = (b: Buffer, i: number) => b.toString('latin1', i * PSI_ELEMENT_BYTES, (i + 1) * PSI_ELEMENT_BYTES);
  const other = new Set<string>();
  for (let i = 0; i < theirs.length / PSI_ELEMENT_BYTES; i++) other.add(keyAt(theirs, i));
  const common: { key: string; row: number }[] = [];
  for (let i = 0; i < ids.length; i++) {
    const k = keyAt(mine, i);
    if (other.has(k)) common.push({ key: k, row: order[i]! });
  }
  common.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  return { ids: common.map((c) => ids[c.row]!), rows: common.map((c) => c.row) };
}
