import { ProtocolError } from '../../errors.js';
import type { RingSpec, RingTensor } from '../kernel_link.js';
import type { PlayerCounters } from '../api.js';

/**
 * Version of the instruction set and wire format. A player rejects batches of any other
 * version with a logged reason (DESIGN.md §5). Bump it when an instruction changes.
 * @example
 * ```ts
 * header.readUInt16LE(4) === INSTRUCTION_SET_VERSION;
 * ```
 */
export const INSTRUCTION_SET_VERSION = 6; // 6: tensors over 8 MiB in several payload frames (codec.ts)

/**
 * The fixed instruction set a player executes. A player never runs code it was sent: each
 * instruction names a registered kernel, loader or sink, or is one of these built-ins.
 * `provide` and `callback` carry functions and exist only between a driver and a player in
 * the same process (LocalConfig); the wire codec refuses them.
 *
 * Handle ids (`out`, `src`, `inputs`) are allocated by the driver and unique per session.
 *
 * @example
 * ```ts
 * const batch: Instruction[] = [
 *   { op: 'fill', out: 1, shape: [2], value: 3n, ring: U64 },
 *   { op: 'kernel', out: 2, kernel: 'Add', inputs: [1, 1], attrs: {} },
 *   { op: 'reveal', src: 2, req: 1 },
 * ];
 * ```
 */
export type Instruction =
  | { op: 'kernel'; out: number; kernel: string; inputs: number[]; attrs: Record<string, unknown> }
  | { op: 'send'; src: number; to: string; tag: number; round: number }
  | { op: 'recv'; out: number; from: string; tag: number }
  | { op: 'sample'; out: number; peer?: string; nonce: bigint; shape: number[]; ring: RingSpec; minus?: ZeroPart }
  | { op: 'fill'; out: number; shape: number[]; value: bigint; ring: RingSpec }
  | { op: 'upload'; out: number; tensor: RingTensor }
  | { op: 'input'; out: number; loader: string; args: Record<string, unknown>; expect?: Expect; req?: number }
  | { op: 'provide'; out: number; provide: () => RingTensor | Promise<RingTensor>; expect?: Expect; req?: number }
  | { op: 'reveal'; src: number; req: number }
  | { op: 'sink'; src: number; name: string; args: Record<string, unknown> }
  | { op: 'callback'; src: number; receive: (t: RingTensor) => void | Promise<void> }
  | { op: 'free'; ids: number[] }
  | { op: 'sync'; req: number }
  | { op: 'counters'; req: number; reset: boolean }
  | { op: 'reseed'; seed: string };

/**
 * A `sample` that is one player's part of a zero-sharing: the draw from the seed shared with
 * `peer` minus (`sub`) or XOR (`xor`) the draw, at the same nonce, from the seed shared with
 * `other` (see `Runtime.sampleZero`).
 * @example
 * ```ts
 * const part: ZeroPart = { other: 'server1', combine: 'sub' };
 * ```
 */
export interface ZeroPart { other: string; combine: 'sub' | 'xor' }

/**
 * The shape and ring an input is declared to have; the player checks what it loaded.
 * @example
 * ```ts
 * const e: Expect = { shape: [4], ring: U64 };
 * ```
 */
export interface Expect { shape: number[]; ring: RingSpec }

/**
 * Names of all instructions.
 * @example
 * ```ts
 * const op: OpName = 'kernel';
 * ```
 */
export type OpName = Instruction['op'];

/**
 * What a player sends back to its driver.
 * - `tensor`: the value of a `reveal`; `shape`: the shape of an `input` loaded with `req`;
 *   `ack`: a `sync` done; `counters`: a `counters` request; `error`: the session failed.
 *
 * @example
 * ```ts
 * const r: PlayerReply = { kind: 'ack', req: 7 };
 * ```
 */
export type PlayerReply =
  | { kind: 'tensor'; req: number; tensor: RingTensor }
  | { kind: 'shape'; req: number; shape: number[]; ring: RingSpec }
  | { kind: 'ack'; req: number }
  | { kind: 'counters'; req: number; counters: PlayerCounters }
  | { kind: 'error'; code: string; message: string; player?: string; address?: string };

/**
 * Whether `v` can be a handle id (or request id): a non-negative safe integer.
 * @example
 * ```ts
 * isId(7); // true
 * isId(-1); // false
 * ```
 */
export const isId = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isName = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 64;
/** Most elements a shape from the wire may have (2^28: 2 GiB of u64), so `fill` or `sample` cannot ask for unbounded memory. */
export const MAX_WIRE_ELEMENTS = 2 ** 28;
const isShape = (v: unknown): v is number[] =>
  Array.isArray(v) && v.length <= 16 && v.every((d) => Number.isSafeInteger(d) && d >= 0 && d <= 2 ** 32) &&
  (v as number[]).reduce((a, d) => a * d, 1) <= MAX_WIRE_ELEMENTS;
const isRing = (v: unknown): v is RingSpec => {
  const r = v as RingSpec;
  return r !== null && typeof r === 'object' &&
    (r.dtype === 'u64' ? r.modulus === undefined : r.dtype === 'u8' && Number.isInteger(r.modulus) && r.modulus! >= 2 && r.modulus! <= 256);
};
const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isExpect = (v: unknown) => v === undefined || (isObj(v) && isShape(v.shape) && isRing(v.ring));
const optReq = (v: unknown) => v === undefined || isId(v);

/** Field checks per instruction, for instructions that arrive over the network. */
const CHECKS: Record<string, (i: Record<string, unknown>) => boolean> = {
  kernel: (i) => isId(i.out) && isName(i.kernel) && Array.isArray(i.inputs) && i.inputs.every(isId) && !(i.inputs as unknown[]).includes(i.out) && isObj(i.attrs),
  send: (i) => isId(i.src) && isName(i.to) && isId(i.tag) && Number.isSafeInteger(i.round) && (i.round as number) >= 1,
  recv: (i) => isId(i.out) && isName(i.from) && isId(i.tag),
  sample: (i) => isId(i.out) && (i.peer === undefined || isName(i.peer)) && typeof i.nonce === 'bigint' && isShape(i.shape) && isRing(i.ring) &&
    (i.minus === undefined || (isObj(i.minus) && i.peer !== undefined && isName(i.minus.other) && i.minus.other !== i.peer && (i.minus.combine === 'sub' || i.minus.combine === 'xor'))),
  fill: (i) => isId(i.out) && isShape(i.shape) && typeof i.value === 'bigint' && isRing(i.ring),
  upload: (i) => isId(i.out) && isObj(i.tensor),
  input: (i) => isId(i.out) && isName(i.loader) && isObj(i.args) && isExpect(i.expect) && optReq(i.req),
  reveal: (i) => isId(i.src) && isId(i.req),
  sink: (i) => isId(i.src) && isName(i.name) && isObj(i.args),
  free: (i) => Array.isArray(i.ids) && i.ids.every(isId),
  sync: (i) => isId(i.req),
  counters: (i) => isId(i.req) && typeof i.reset === 'boolean',
  reseed: (i) => typeof i.seed === 'string' && /^[0-9a-f]{32}$/.test(i.seed),
};

/**
 * Checks instructions that came over the network: a known `op` (never `provide` or
 * `callback`) with well-typed fields. Throws `ProtocolError` naming the first bad one.
 *
 * @example
 * ```ts
 * validateRemoteBatch([{ op: 'sync', req: 1 }]); // ok
 * validateRemoteBatch([{ op: 'eval', code: '...' }]); // ProtocolError
 * ```
 */
export function validateRemoteBatch(batch: unknown): Instruction[] {
  if (!Array.isArray(batch)) throw new ProtocolError('instruction batch must be an array');
  batch.forEach((instr, k) => {
    const op = isObj(instr) ? instr.op : undefined;
    const check = typeof op === 'string' && Object.hasOwn(CHECKS, op) ? CHECKS[op] : undefined;
    if (!check) throw new ProtocolError(`instruction ${k}: unknown op \`${String(op)}\` (instruction set v${INSTRUCTION_SET_VERSION})`);
    if (!check(instr as Record<string, unknown>)) throw new ProtocolError(`instruction ${k} (\`${String(op)}\`): malformed fields`);
  });
  return batch as Instruction[];
}
