/**
 * Datasets (`tfe.data.*`): lazy, re-iterable streams with `.batch`, `.shuffle({seed})`,
 * `.take`, `.repeat` and `.map`, which `model.fit` / `model.fitDataset` accept.
 * - {@link rows} over private tensors: the elements are row numbers, public; `.shuffle` is a
 *   public permutation (from the seed, not from the data) applied to the shares with a gather,
 *   so it reveals nothing about the values; `.batch(n)` gathers the rows of each batch.
 * - {@link tableBatches} streams an Arrow table record batch by record batch (larger than
 *   memory); each batch is secret-shared by the fit loop when it arrives.
 */
import { ValueError } from '../errors.js';
import { getProtocol } from '../protocols/protocol.js';
import type { TfeTensor } from '../protocols/tensor.js';
import { streamArrow, type TableBatch } from './arrow_loader.js';
import type { TableOptions } from './table.js';

/** A seeded public PRNG (mulberry32) for shuffles: the order is public, it never draws secrets. */
function publicRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const count = (n: number, what: string) => {
  if (!(Number.isInteger(n) && n > 0) && n !== Infinity) throw new ValueError(`\`${what}\` must be a positive integer, got ${n}`);
  return n;
};

/**
 * A lazy stream of elements; every iteration starts afresh (one pass per epoch).
 * @example
 * ```ts
 * const ds = tfe.data.generator(async function* () { yield 1; yield 2; }).repeat(2).take(3);
 * ```
 */
export class Dataset<T> implements AsyncIterable<T> {
  constructor(private readonly make: () => AsyncIterable<T>) {}

  [Symbol.asyncIterator](): AsyncIterator<T> { return this.make()[Symbol.asyncIterator](); }

  /** Applies `f` to each element. */
  map<U>(f: (t: T) => U | Promise<U>): Dataset<U> {
    const src = this;
    return new Dataset(async function* () { for await (const t of src) yield await f(t); });
  }

  /** The first `n` elements. */
  take(n: number): Dataset<T> {
    count(n, 'take');
    const src = this;
    return new Dataset(async function* () {
      if (n <= 0) return;
      let i = 0;
      for await (const t of src) { yield t; if (++i >= n) return; }
    });
  }

  /** The elements `times` times over (default: forever; combine with `take`). */
  repeat(times = Infinity): Dataset<T> {
    count(times, 'repeat');
    const src = this;
    return new Dataset(async function* () { for (let r = 0; r < times; r++) yield* src; });
  }

  /** Shuffles within a buffer of `bufferSize` elements (default 10,000) with a public seeded order. */
  shuffle(opts: { seed?: number; bufferSize?: number } = {}): Dataset<T> {
    const size = count(opts.bufferSize ?? 10_000, 'bufferSize');
    const src = this;
    let epoch = 0;
    return new Dataset(async function* () {
      const rand = publicRandom((opts.seed ?? 0) + 0x9e3779b9 * epoch++);
      const buf: T[] = [];
      for await (const t of src) {
        if (buf.length < size) { buf.push(t); continue; }
        const j = Math.floor(rand() * size);
        yield buf[j]!;
        buf[j] = t;
      }
      for (let i = buf.length - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); [buf[i], buf[j]] = [buf[j]!, buf[i]!]; }
      yield* buf;
    });
  }

  /** Groups consecutive elements into arrays of `n` (the last may be shorter unless `dropRemainder`). */
  batch(n: number, opts: { dropRemainder?: boolean } = {}): Dataset<T[]> {
    count(n, 'batch');
    const src = this;
    return new Dataset(async function* () {
      let cur: T[] = [];
      for await (const t of src) { cur.push(t); if (cur.length === n) { yield cur; cur = []; } }
      if (cur.length && !opts.dropRemainder) yield cur;
    });
  }

  /** All elements, in order (for small datasets). */
  async toArray(): Promise<T[]> { const out: T[] = []; for await (const t of this) out.push(t); return out; }
}

/**
 * A dataset over async generator `f` (called once per iteration).
 * @example
 * ```ts
 * const ds = tfe.data.generator(async function* () { yield { xs, ys }; });
 * ```
 */
export function generator<T>(f: () => AsyncIterable<T>): Dataset<T> { return new Dataset(f); }

/**
 * The rows of private tensors: `.shuffle`, `.take`, `.repeat` act on public row numbers and
 * `.batch(n)` yields `{xs, ys}` private batches gathered from the shares.
 * @example
 * ```ts
 * const ds = tfe.data.rows({ xs: x, ys: y }).shuffle({ seed: 1 }).batch(100);
 * await model.fit(ds, { epochs: 2 });
 * ```
 */
export class PrivateRows {
  constructor(readonly tensors: { xs: TfeTensor; ys: TfeTensor }, readonly order: Dataset<number>) {
    if (tensors.xs.shape[0] !== tensors.ys.shape[0]) throw new ValueError(`\`xs\` and \`ys\` must have the same number of rows, got ${tensors.xs.shape[0]} and ${tensors.ys.shape[0]}`);
  }
  shuffle(opts: { seed?: number; bufferSize?: number } = {}): PrivateRows { return new PrivateRows(this.tensors, this.order.shuffle({ bufferSize: this.tensors.xs.shape[0], ...opts })); }
  take(n: number): PrivateRows { return new PrivateRows(this.tensors, this.order.take(n)); }
  repeat(times?: number): PrivateRows { return new PrivateRows(this.tensors, this.order.repeat(times)); }
  batch(n: number, opts: { dropRemainder?: boolean } = {}): Dataset<{ xs: TfeTensor; ys: TfeTensor }> {
    const { xs, ys } = this.tensors;
    return this.order.batch(n, opts).map((idx) => {
      const p = getProtocol();
      return { xs: p.gather(xs, idx, 0), ys: p.gather(ys, idx, 0) };
    });
  }
}

/**
 * Rows of private tensors as a dataset (see {@link PrivateRows}).
 * @example
 * ```ts
 * const ds = tfe.data.rows({ xs: x, ys: y }).batch(32);
 * ```
 */
export function rows(tensors: { xs: TfeTensor; ys: TfeTensor }): PrivateRows {
  const n = tensors.xs.shape[0]!;
  return new PrivateRows(tensors, new Dataset(async function* () { for (let i = 0; i < n; i++) yield i; }));
}

/**
 * An Arrow table streamed record batch by record batch (larger than memory), in the process
 * that runs it (the data owner's, for LocalConfig scripts).
 * @example
 * ```ts
 * const ds = tfe.data.tableBatches('big.arrow', { columns: ['x0', 'x1'] }).map((b) => b.rows);
 * ```
 */
export function tableBatches(path: string, opts: TableOptions = {}): Dataset<TableBatch> {
  return new Dataset(() => streamArrow(path, opts));
}
