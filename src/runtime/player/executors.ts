/**
 * The executors of the built-in instructions, as a table from op name to function: kernels
 * (small ones inline, large ones off the event loop), sends and receives, seeded sampling,
 * inputs, outputs, frees and syncs. A {@link PlayerSession} runs its stream through this table.
 * @example
 * ```ts
 * await EXEC[i.op](session, i);
 * ```
 */
import { ProtocolError, ValueError } from '../../errors.js';
import { RingTensor, inferOutput, runKernel, runKernelAsync } from '../kernel_link.js';
import type { Instruction, OpName } from '../wire/instructions.js';
import { getLoader, getSink, isRemoteSink, trackedContext, type LoaderTrace } from './data_sources.js';
import { checkName, matchesGlob, type PlayerPolicy } from './policy.js';
import { refuseRaw, type Origin } from './provenance.js';
import type { PlayerSession } from './session.js';
import { markEscaped, retainStorage } from './storage_refs.js';

type Exec = (s: PlayerSession, i: any) => void | Promise<void>;

/** Kernels touching at most this many elements run synchronously (no promise, no thread hop). */
export const INLINE_ELEMENTS = 16384;

/**
 * The work up to which a player alone in its process (`tfe player`) runs kernels on its own
 * thread: 2^22 elements touched, a few milliseconds of kernel time ({@link kernelWork}).
 *
 * Why (issue 17): a kernel handed to the addon's executor costs two thread hops, a wake-up of
 * an executor thread and one of the event loop when it is done, and on the 2-core bench
 * machine (a paravirtualised guest) each costs several microseconds of system time plus the
 * scheduler's delay. A networked ABY3 Adam step ran about 270 such kernels per player
 * (`/proc/<pid>/task/<tid>/status`: 1,650 context switches per player and step; `perf`:
 * `pvm_irq_enable` 16 % of the players' CPU). In-process players (LocalConfig) keep the
 * executor: there three players and the driver share one event loop.
 */
export const ALONE_INLINE_WORK = 2 ** 22;

/** Marks a tensor that leaves (or came from outside) the handle tables; returns it. */
const escape = (t: RingTensor) => (markEscaped(t), t);

const kernelAttrs = (ring: { dtype: string; modulus?: number }) => ({ dtype: ring.dtype, modulus: ring.modulus });

/** Runs a kernel instruction on resolved inputs: small kernels inline, large ones off the event loop. */
function runKernelInstruction(s: PlayerSession, i: Extract<Instruction, { op: 'kernel' }>, inputs: RingTensor[]): RingTensor | Promise<RingTensor> {
  let work = 0;
  for (const t of inputs) work += t.size;
  // Kernels trust their inputs: validate what came over the network (in-process drivers
  // already ran the same check).
  if (!s.host.inProcess) {
    const out = inferOutput(i.kernel, inputs.map((t) => ({ shape: t.shape, ring: t.ring })), i.attrs);
    work = Math.max(work, kernelWork(i.kernel, inputs, i.attrs, sizeOf(out.shape)));
  }
  return runSized(s, i.kernel, inputs, i.attrs, work);
}

/**
 * A kernel's work in elements touched, for choosing where it runs: its output's size, except
 * for the kernels whose cost is not linear in their sizes. The products count a quarter per
 * multiply-add (a 128×784 by 784×128 product: 3.2 million); the DCF kernels one per AES block
 * of their tree walks, at most bits·(2 + width) per point evaluated and twice that per key
 * pair made (a 64-bit comparison key answering 256 points costs 49,152 per key, not 256).
 * @example
 * ```ts
 * kernelWork('MatMul', [a, b], {}, 128 * 128); // 128 * 128 * K / 4
 * ```
 */
export function kernelWork(kernel: string, inputs: readonly RingTensor[], attrs: object, outSize: number): number {
  if (kernel === 'MatMul' && inputs.length === 2) {
    const a = inputs[0].shape, transposeA = (attrs as { transposeA?: boolean }).transposeA;
    const k = a.length >= 2 ? a[transposeA ? a.length - 2 : a.length - 1] : 1;
    return (outSize * k) / 4;
  }
  if (kernel === 'Conv2D' && inputs.length === 2) {
    const w = inputs[1].shape; // [kh, kw, C, F]
    return (outSize * (w[0] ?? 1) * (w[1] ?? 1) * (w[2] ?? 1)) / 4;
  }
  if (kernel === 'DcfEval' || kernel === 'DcfGen') {
    const { bits = 64, width = 1 } = attrs as { bits?: number; width?: number };
    const points = kernel === 'DcfEval' ? outSize / width : 2 * (inputs[0]?.size ?? 0);
    return points * bits * (2 + width);
  }
  return outSize;
}

/**
 * Runs `kernel`: inline when `work` (elements touched) is small, or up to the player's
 * `inlineWork` after handing its queued messages to the wire (they travel while the kernel
 * runs); else in its asynchronous form, so I/O keeps flowing.
 */
function runSized(s: PlayerSession, kernel: string, inputs: RingTensor[], attrs: object, work: number): RingTensor | Promise<RingTensor> {
  if (work <= INLINE_ELEMENTS) return runKernel(kernel, inputs, attrs);
  if (work > (s.host.inlineWork ?? INLINE_ELEMENTS)) return runKernelAsync(kernel, inputs, attrs);
  s.host.net.flush?.();
  return runKernel(kernel, inputs, attrs);
}

/** Stores `t` (or, once ready, the tensor it promises) under handle `out`. */
function store(s: PlayerSession, out: number, t: RingTensor | Promise<RingTensor>): void | Promise<void> {
  if (t instanceof RingTensor) s.set(out, t);
  else return t.then((v) => s.set(out, v));
}

/**
 * The owner's check of declared `bounds` (`definePrivateInput(..., {bounds})`) on a loaded
 * fixed-point tensor; the error names neither a value nor its position.
 */
function checkDeclaredBounds(t: unknown, args: Record<string, unknown>, what: string): void {
  const b = args.bounds as { lo?: unknown; hi?: unknown } | undefined;
  const f = args.fracBits;
  if (!b || typeof b.lo !== 'number' || typeof b.hi !== 'number' || typeof f !== 'number' || !(t instanceof RingTensor) || t.ring.dtype !== 'u64') return;
  // The encoded values are rounded to the grid, so compare with the rounded bounds.
  const lo = Math.round(b.lo * 2 ** f), hi = Math.round(b.hi * 2 ** f);
  const values = t.values() as BigUint64Array;
  for (let k = 0; k < values.length; k++) {
    const v = Number(BigInt.asIntN(64, values[k]));
    if (v < lo || v > hi) throw new ValueError(`${what}: a value lies outside the declared bounds [${b.lo}, ${b.hi}]`);
  }
}

/**
 * The origin of a loaded tensor: what its loader declared, else public when the policy lets
 * every file it read be revealed, else raw.
 */
function loadedOrigin(seen: LoaderTrace, policy: PlayerPolicy | undefined): Origin {
  if (seen.declared === 'share') return 'secret';
  if (seen.declared === 'public') return 'public';
  const open = policy?.revealRawInputs;
  if (Array.isArray(open) && seen.files.length && seen.files.every((f) => open.some((g) => matchesGlob(f, g)))) return 'public';
  return 'raw';
}

/** Elements of a shape. */
const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** The built-in instructions, as a table from op name to its executor. */
export const EXEC: Record<OpName, Exec> = {
  kernel: (s, i: Extract<Instruction, { op: 'kernel' }>) => {
    s.origins.derive(i.out, i.inputs);
    const inputs = s.useAll(i.inputs);
    if (inputs instanceof Promise) return inputs.then((ts) => store(s, i.out, runKernelInstruction(s, i, ts)));
    return store(s, i.out, runKernelInstruction(s, i, inputs));
  },
  // Synchronous when the tensor is at hand: the stream runs on, and the transport sends a
  // round's messages together when the player next waits (SendQueue's bundles).
  send: (s, i: Extract<Instruction, { op: 'send' }>) => {
    refuseRaw(s.host.policy, s.origins.of(i.src), s.host.name, `be sent to \`${i.to}\``);
    const go = (t: RingTensor) => {
      // A tensor handed over in memory stays counted while in flight; bytes on a wire are not
      // ours, unless the wire carries a copy.
      if (s.host.net.sharesTensors) retainStorage(t);
      else if (!s.host.net.copiesTensor?.(t)) markEscaped(t);
      const bytes = s.host.net.sendTensor(i.to, s.id, i.tag, t);
      s.countSent(i.to, bytes, i.round);
    };
    const t = s.get(i.src);
    if (t instanceof Promise) return t.then(go);
    go(t);
  },
  // A receive does not stop the stream: the handle holds the pending message, and whatever
  // reads it waits. So a player sends its half of an exchange before it waits for the other
  // half, and an exchange costs one latency, not two.
  recv: (s, i: Extract<Instruction, { op: 'recv' }>) => {
    s.origins.mark(i.out, 'secret');
    s.expect(i.out, s.mailbox.take(i.from, i.tag));
  },
  sample: (s, i: Extract<Instruction, { op: 'sample' }>) => {
    s.origins.mark(i.out, s.reseeded ? 'public' : 'secret'); // after a reseed the driver knows the seeds
    const n = sizeOf(i.shape);
    const draw = (seed: Uint8Array) => runSized(s, 'PrgUniform', [], { seed, nonce: i.nonce, offset: 0n, shape: i.shape, ...kernelAttrs(i.ring) }, n);
    // a zero-sharing's part: the draws from both pair seeds at one nonce, combined
    const part = (x: RingTensor, y: RingTensor) => {
      const out = runSized(s, i.minus!.combine === 'sub' ? 'Sub' : 'BitwiseXor', [x, y], {}, n);
      const done = (t: RingTensor) => { x.dispose(); y.dispose(); return t; };
      return out instanceof Promise ? out.then(done) : done(out);
    };
    const run = ([a, b]: Uint8Array[]) => {
      if (!b) return store(s, i.out, draw(a!));
      const [x, y] = [draw(a!), draw(b)];
      return store(s, i.out, x instanceof Promise || y instanceof Promise ? Promise.all([x, y]).then(([u, v]) => part(u, v)) : part(x, y));
    };
    if (i.peer === undefined) return run([s.privateSeed]);
    const seeds = i.minus ? [s.pairSeed(i.peer), s.pairSeed(i.minus.other)] : [s.pairSeed(i.peer)];
    return seeds.some((k) => k instanceof Promise) ? Promise.all(seeds).then(run) : run(seeds as Uint8Array[]);
  },
  fill: (s, i: Extract<Instruction, { op: 'fill' }>) => {
    s.origins.mark(i.out, 'public');
    return store(s, i.out, runSized(s, 'Fill', [], { shape: i.shape, value: i.value, ...kernelAttrs(i.ring) }, sizeOf(i.shape)));
  },
  upload: (s, i: Extract<Instruction, { op: 'upload' }>) => {
    if (!(i.tensor instanceof RingTensor)) throw new ProtocolError('upload: payload is not a tensor');
    s.set(i.out, escape(i.tensor));
    s.origins.mark(i.out, 'public');
  },
  input: async (s, i: Extract<Instruction, { op: 'input' }>) => {
    const file = typeof i.args?.path === 'string' ? ` reading \`${i.args.path}\`` : '';
    if (s.host.policy) checkName(s.host.policy, 'loaders', i.loader, s.host.name);
    const { ctx, seen } = trackedContext(s.host.data);
    const t = await getLoader(i.loader)(i.args, ctx);
    // A pass/fail answer tells the driver one bit about the data: networked owners opt in.
    if (s.host.inProcess || s.host.checkBounds) checkDeclaredBounds(t, i.args, `loader \`${i.loader}\`${file}`);
    s.origins.mark(i.out, loadedOrigin(seen, s.host.policy));
    s.setInput(i.out, t, `loader \`${i.loader}\`${file}`, i.expect, i.req);
  },
  provide: async (s, i: Extract<Instruction, { op: 'provide' }>) => {
    if (!s.host.inProcess) throw new ProtocolError('provider inputs are only allowed for in-process players');
    s.origins.mark(i.out, 'raw');
    s.setInput(i.out, await i.provide(), 'provider', i.expect, i.req);
  },
  reveal: async (s, i: Extract<Instruction, { op: 'reveal' }>) => {
    refuseRaw(s.host.policy, s.origins.of(i.src), s.host.name, 'be revealed to the driver');
    s.reply({ kind: 'tensor', req: i.req, tensor: escape(await s.get(i.src)) });
  },
  sink: async (s, i: Extract<Instruction, { op: 'sink' }>) => {
    const origin = s.origins.of(i.src);
    if (s.host.policy) checkName(s.host.policy, 'sinks', i.name, s.host.name);
    if (isRemoteSink(i.name)) refuseRaw(s.host.policy, origin, s.host.name, `be sent off the machine by the sink \`${i.name}\``);
    await getSink(i.name)(escape(await s.get(i.src)), i.args, { ...s.host.data, origin });
  },
  callback: async (s, i: Extract<Instruction, { op: 'callback' }>) => {
    if (!s.host.inProcess) throw new ProtocolError('callback outputs are only allowed for in-process players');
    await i.receive(escape(await s.get(i.src)));
  },
  free: (s, i: Extract<Instruction, { op: 'free' }>) => { for (const id of i.ids) s.forget(id); },
  // `flush` promises that the players have run everything: pending receives included.
  sync: (s, i: Extract<Instruction, { op: 'sync' }>) => {
    const pending = s.pendingReceives();
    if (!pending) return s.reply({ kind: 'ack', req: i.req });
    return pending.then(() => s.reply({ kind: 'ack', req: i.req }));
  },
  counters: async (s, i: Extract<Instruction, { op: 'counters' }>) => {
    await s.pendingReceives();
    s.reply({ kind: 'counters', req: i.req, counters: { ...s.counters, liveHandles: s.handles.size } });
    if (i.reset) {
      s.resetCounters();
    }
  },
  reseed: (s, i: Extract<Instruction, { op: 'reseed' }>) => s.reseed(i.seed),
};

