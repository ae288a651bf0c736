import { ProtocolError, ValueError } from '../../errors.js';
import { RingTensor, bytesPerElement, runKernel } from '../kernel_link.js';
import { INSTRUCTION_SET_VERSION } from './instructions.js';
import { descLength, readDesc, tensorBytes, tensorFromBytes, writeDesc, type TensorDesc } from './tensor_bytes.js';

/**
 * The binary wire format of the ZeroMQ transport. Every message is multipart; its first frame
 * is a header (little-endian):
 *
 * ```
 * 0  magic   u32  'TFE\0'
 * 4  version u16  INSTRUCTION_SET_VERSION
 * 6  type    u8   MsgType
 * 7  nameLen u8   length of the sender name at 24
 * 8  session 8 bytes
 * 16 tag     u64  send/recv tag, request id, or flag
 * 24 name    nameLen bytes (utf-8)
 * .. desc    tensor descriptor (tensor-bearing types only)
 * ```
 *
 * Tensor elements follow as one raw frame (no JSON, no base64). Instruction batches carry a
 * JSON control frame; bigints, typed-array attributes and uploaded tensors in it are
 * references to further binary frames.
 *
 * @example
 * ```ts
 * encodeHeader(MsgType.Ping, session, 1); // a ping that wants a pong
 * ```
 */
export enum MsgType {
  Batch = 1, Bye = 2, Ping = 3, Pong = 4, Reply = 5, Result = 6, PeerTensor = 7, PeerSeed = 8, PeerPing = 9,
  /** Several PeerTensor/PeerSeed messages to one player in one ZeroMQ message (wire/bundle.ts). */
  PeerBundle = 10,
  /** An instruction batch as a replay of the session's previous one (wire/batch_replay.ts). */
  BatchReplay = 11,
}

const MAGIC = 0x00454654;
const HEADER = 24;

/**
 * A decoded header.
 * @example
 * ```ts
 * const { type, session, tag, name } = decodeHeader(frames[0]);
 * ```
 */
export interface Header { type: MsgType; session: string; tag: number; name: string; desc?: TensorDesc; version: number }

const hasDesc = (t: MsgType) => t === MsgType.Result || t === MsgType.PeerTensor;

/**
 * Encodes a header frame. `session` is 16 hex characters.
 * @example
 * ```ts
 * const h = encodeHeader(MsgType.PeerPing, session, 0, 'server0');
 * ```
 */
export function encodeHeader(type: MsgType, session: string, tag: number, name = '', desc?: TensorDesc): Buffer {
  const nameBytes = Buffer.from(name, 'utf8');
  const buf = Buffer.allocUnsafe(HEADER + nameBytes.length + (desc ? descLength(desc.shape.length) : 0));
  buf.writeUInt32LE(MAGIC, 0);
  buf.writeUInt16LE(INSTRUCTION_SET_VERSION, 4);
  buf.writeUInt8(type, 6);
  buf.writeUInt8(nameBytes.length, 7);
  buf.write(session.padEnd(16, '0'), 8, 8, 'hex');
  buf.writeBigUInt64LE(BigInt(tag), 16);
  nameBytes.copy(buf, HEADER);
  if (desc) writeDesc(buf, HEADER + nameBytes.length, desc);
  return buf;
}

/**
 * Decodes and checks a header frame. Throws `ProtocolError` for garbage, a wrong magic or
 * a wrong version (the message says which).
 * @example
 * ```ts
 * const h = decodeHeader(frames[0]);
 * ```
 */
export function decodeHeader(buf: Buffer | undefined): Header {
  if (!buf || buf.length < HEADER) throw new ProtocolError(`message header too short (${buf?.length ?? 0} bytes)`);
  if (buf.readUInt32LE(0) !== MAGIC) throw new ProtocolError('bad magic: not a tfe-js message');
  const version = buf.readUInt16LE(4);
  if (version !== INSTRUCTION_SET_VERSION) {
    throw new ProtocolError(`wrong protocol version ${version}, expected ${INSTRUCTION_SET_VERSION}`);
  }
  const type = buf.readUInt8(6) as MsgType;
  if (!MsgType[type]) throw new ProtocolError(`unknown message type ${type}`);
  const nameLen = buf.readUInt8(7);
  if (buf.length < HEADER + nameLen) throw new ProtocolError('message header truncated');
  const session = buf.toString('hex', 8, 16);
  const tag = Number(buf.readBigUInt64LE(16));
  const name = buf.toString('utf8', HEADER, HEADER + nameLen);
  const desc = hasDesc(type) ? readDesc(buf, HEADER + nameLen).desc : undefined;
  return { type, session, tag, name, desc, version };
}

/**
 * Largest payload frame of a tensor message: larger tensors travel as several frames of this
 * size (the last one shorter). A frame is one allocation at the receiver (libzmq's), and glibc
 * maps each block above 32 MiB afresh, so a 64 MiB frame cost 16,384 page faults and the
 * kernel's zeroing of every page there (0.23 GB/s player to player on the bench machine);
 * frames of 8 MiB come from the heap the malloc tuning keeps (native/malloc_tuning.cc).
 */
export const PAYLOAD_FRAME_BYTES = 8 * 2 ** 20;
/** Most payload frames of one tensor message: 1 GiB, the players' largest message before. */
const MAX_PAYLOAD_FRAMES = 2 ** 30 / PAYLOAD_FRAME_BYTES;

/**
 * Whether a peer tensor of `bytes` bytes is sent as a copy ({@link tensorMessage}'s `copy`):
 * every tensor whose payload fits one frame ({@link PAYLOAD_FRAME_BYTES}); larger ones go out
 * as views of their own memory.
 *
 * Why (issue 17, measured on the 2-core bench machine with `--trace-gc` on the players of a
 * networked SecureNN network-A step): a tensor whose memory goes out as a view can never be
 * reused (ZeroMQ reads it until the frame has left, and nothing says when), so when it is freed
 * its buffer waits for a garbage collection. Most such buffers come from the output cache
 * (kernels/native/out_cache.ts) and are old, so only a mark-compact frees them: about 60 a step
 * and 10 MB per player, and V8 started a mark-compact for that external memory every 2 to 3
 * steps across the three players (0.46 per step). A step with one took 88 ms against 71 ms
 * without. Sent as copies, the tensors stay the players' own and go back to the cache when
 * freed, and the copies die young: 0.08 mark-compacts per step, for a copy of 8 MB a step per
 * player (about 1 ms).
 * @example
 * ```ts
 * copiesPeerTensor(1024 * 8); // true
 * ```
 */
export function copiesPeerTensor(bytes: number): boolean {
  return bytes <= PAYLOAD_FRAME_BYTES;
}

/**
 * Frames of a tensor-bearing message: header with descriptor, then the raw elements, in frames
 * of {@link PAYLOAD_FRAME_BYTES}: views of the tensor's memory (no copy), or with `copy` (one
 * frame only) the elements in a fresh buffer, so the tensor's memory may be reused at once.
 * @example
 * ```ts
 * sock.send(tensorMessage(MsgType.PeerTensor, session, tag, 'server0', t));
 * ```
 */
export function tensorMessage(type: MsgType, session: string, tag: number, name: string, t: RingTensor, copy = false): Buffer[] {
  const bytes = tensorBytes(t);
  const frames = [encodeHeader(type, session, tag, name, { shape: [...t.shape], ring: t.ring })];
  if (copy && bytes.length > PAYLOAD_FRAME_BYTES) throw new ValueError(`a tensor of ${bytes.length} bytes is sent in several frames, which are never copied (at most ${PAYLOAD_FRAME_BYTES})`);
  if (bytes.length <= PAYLOAD_FRAME_BYTES) frames.push(copy ? copyOf(bytes) : bytes);
  else for (let at = 0; at < bytes.length; at += PAYLOAD_FRAME_BYTES) frames.push(bytes.subarray(at, at + PAYLOAD_FRAME_BYTES));
  return frames;
}

/**
 * A copy of `bytes` in uninitialised memory (Node's shared pool below 4 KiB), every byte then
 * written. From 4 KiB up `Buffer.from` of a view zero-fills a new buffer first (V8's `calloc`),
 * so each byte was written twice: measured on the bench machine with the players' malloc
 * settings, 57 → 7 µs for 128 KiB and 2.4 → 0.8 ms for 8 MiB.
 * @example
 * ```ts
 * sock.send([header, copyOf(tensorBytes(t))]); // t's storage may be reused at once
 * ```
 */
export function copyOf(bytes: Buffer): Buffer {
  const out = Buffer.allocUnsafe(bytes.length);
  out.set(bytes);
  return out;
}

/**
 * Whether a tensor message's payload came in several frames: {@link tensorOf} then joins them
 * into one tensor in the backend's own memory (not a view of the message).
 * @example
 * ```ts
 * const owned = isSplitTensor(frames); // no second copy needed
 * ```
 */
export function isSplitTensor(frames: readonly Buffer[]): boolean {
  return frames.length > 2;
}

/**
 * The tensor of a tensor-bearing message decoded by {@link decodeHeader}: a view of a single
 * payload frame, or the frames of a large tensor joined into one (one copy, in the backend's
 * memory). Throws `ProtocolError` unless every payload frame but the last has
 * {@link PAYLOAD_FRAME_BYTES} and the bytes add up to the shape.
 * @example
 * ```ts
 * const t = tensorOf(decodeHeader(frames[0]), frames);
 * ```
 */
export function tensorOf(h: Header, frames: Buffer[]): RingTensor {
  if (!h.desc || frames.length < 2) throw new ProtocolError('tensor message must have a header and a payload');
  if (!isSplitTensor(frames)) return tensorFromBytes(h.desc, frames[1]);
  const payload = frames.slice(1);
  if (payload.length > MAX_PAYLOAD_FRAMES || payload.some((f, k) => (k < payload.length - 1 ? f.length !== PAYLOAD_FRAME_BYTES : f.length === 0 || f.length > PAYLOAD_FRAME_BYTES))) {
    throw new ProtocolError(`a tensor in ${payload.length} payload frames must have ${PAYLOAD_FRAME_BYTES} bytes in each but the last (at most ${MAX_PAYLOAD_FRAMES} frames)`);
  }
  const bpe = h.desc.ring.dtype === 'u64' ? 8 : 1;
  if (payload[payload.length - 1]!.length % bpe !== 0) throw new ProtocolError(`a tensor's last payload frame has ${payload[payload.length - 1]!.length} bytes, not a whole number of ${bpe}-byte elements`);
  const size = h.desc.shape.reduce((a, b) => a * b, 1);
  const bytes = payload.reduce((a, f) => a + f.length, 0);
  // before the join: a refused message costs no copy
  if (bytes !== size * bpe) throw new ProtocolError(`tensor payload has ${bytes} bytes, shape [${h.desc.shape.join(',')}] needs ${size * bpe}`);
  const parts = payload.map((f) => tensorFromBytes({ shape: [f.length / bpe], ring: h.desc!.ring }, f));
  return runKernel('Reshape', [runKernel('Concat', parts, { axis: 0 })], { shape: [...h.desc.shape] });
}

const ARRAYS: Record<string, new (b: ArrayBuffer, o: number, n: number) => ArrayBufferView & { length: number }> = {
  Uint8Array, Int8Array, Uint16Array, Int16Array, Uint32Array, Int32Array, Float32Array, Float64Array,
  BigUint64Array, BigInt64Array,
};

/** Replaces bigints, typed arrays and ring tensors by frame references; copies only what changes. */
function pack(v: unknown, blobs: Buffer[]): unknown {
  if (typeof v === 'bigint') return { $n: v.toString() };
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof RingTensor) {
    const desc = Buffer.alloc(descLength(v.shape.length));
    writeDesc(desc, 0, { shape: [...v.shape], ring: v.ring });
    blobs.push(desc, tensorBytes(v));
    return { $t: blobs.length - 2 };
  }
  if (ArrayBuffer.isView(v)) {
    blobs.push(Buffer.from(v.buffer, v.byteOffset, v.byteLength));
    return { $a: blobs.length - 1, t: v.constructor.name };
  }
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let k = 0; k < v.length; k++) {
      const p = pack(v[k], blobs);
      if (p !== v[k]) (out ??= v.slice())[k] = p;
    }
    return out ?? v;
  }
  let out: Record<string, unknown> | undefined;
  for (const key in v) {
    const x = (v as Record<string, unknown>)[key];
    const p = pack(x, blobs);
    if (p !== x) (out ??= { ...(v as Record<string, unknown>) })[key] = p;
  }
  return out ?? v;
}

/** Restores what {@link pack} replaced, in place. */
function unpack(v: unknown, blobs: Buffer[]): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    for (let k = 0; k < v.length; k++) v[k] = unpack(v[k], blobs);
    return v;
  }
  const o = v as Record<string, unknown>;
  if (typeof o.$n === 'string') {
    if (!/^-?\d{1,40}$/.test(o.$n)) throw new ProtocolError('bad bigint in control frame');
    return BigInt(o.$n);
  }
  if (Number.isInteger(o.$a)) return typedArray(o.t, blobs[o.$a as number]);
  if (Number.isInteger(o.$t)) {
    const k = o.$t as number;
    if (!blobs[k] || !blobs[k + 1]) throw new ProtocolError('bad tensor reference in control frame');
    return tensorFromBytes(readDesc(blobs[k], 0).desc, blobs[k + 1]);
  }
  for (const key in o) o[key] = unpack(o[key], blobs);
  return o;
}

/**
 * Encodes a JSON control value whose bigints, typed arrays and ring tensors go as binary
 * frames. Returns `[json, ...blobs]`.
 * @example
 * ```ts
 * const frames = encodeJson([{ op: 'fill', out: 1, shape: [2], value: 5n, ring: U64 }]);
 * ```
 */
export function encodeJson(value: unknown): Buffer[] {
  const blobs: Buffer[] = [];
  const json = JSON.stringify(pack(value, blobs));
  return [Buffer.from(json, 'utf8'), ...blobs];
}

function typedArray(name: unknown, blob: Buffer | undefined): ArrayBufferView {
  const Ctor = typeof name === 'string' && Object.hasOwn(ARRAYS, name) ? ARRAYS[name] : undefined;
  if (!Ctor || !blob) throw new ProtocolError('bad typed-array reference in control frame');
  const bpe = (Ctor as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
  if (blob.byteLength % bpe) throw new ProtocolError('typed-array frame length is not a multiple of its element size');
  const src = blob.byteOffset % bpe === 0 ? blob : Uint8Array.prototype.slice.call(blob);
  return new Ctor(src.buffer as ArrayBuffer, src.byteOffset, blob.byteLength / bpe);
}

/**
 * Decodes frames made by {@link encodeJson}. Throws `ProtocolError` on malformed input.
 * @example
 * ```ts
 * const batch = decodeJson(frames.slice(1));
 * ```
 */
export function decodeJson(frames: Buffer[]): unknown {
  const [json, ...blobs] = frames;
  if (!json) throw new ProtocolError('missing control frame');
  let raw: unknown;
  try {
    raw = JSON.parse(json.toString('utf8'));
  } catch (e) {
    throw new ProtocolError(`control frame is not valid JSON: ${(e as Error).message}`);
  }
  return unpack(raw, blobs);
}

/**
 * Bytes a tensor message from `sender` takes on the wire (header + payload); the in-memory
 * transport counts the same figure so counters agree across transports.
 * @example
 * ```ts
 * tensorMessageBytes('server0', t); // 24 + 7 + 4 + 4·rank + t.size·8
 * ```
 */
export function tensorMessageBytes(sender: string, t: RingTensor): number {
  const bpe = bytesPerElement(t.dtype);
  return HEADER + Buffer.byteLength(sender) + descLength(t.shape.length) + t.size * bpe;
}

/**
 * Bytes of a seed message from `sender` (header + 16 seed bytes).
 * @example
 * ```ts
 * seedMessageBytes('server0'); // 47
 * ```
 */
export function seedMessageBytes(sender: string): number {
  return HEADER + Buffer.byteLength(sender) + 16;
}
