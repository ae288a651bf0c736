import { ValueError } from '../errors.js';
import type { ProtocolCapabilities } from './capabilities.js';
import type { Liftable, TensorLike, TfeTensor } from './tensor.js';

export type { ProtocolCapabilities } from './capabilities.js';

/**
 * Where a private input comes from: a provider run on the owner's player (LocalConfig), or a data source loaded there.
 * @example
 * ```ts
 * const x = await tfe.definePrivateInput('data-owner', () => [1, 2, 3]);
 * ```
 */
export type InputProvider =
  | (() => Liftable | Promise<Liftable> | { dataSync(): ArrayLike<number>; shape: number[] })
  | { loader: string; args: Record<string, unknown>; shape?: number[] };

/**
 * Options of `definePrivateInput` / `definePublicInput`: the declared shape, whether the values
 * are integers (unscaled), and public `bounds` on the values — a number B (|x| ≤ B) or
 * [lo, hi] — checked on the owner's player when the input is loaded and used by the overflow
 * checks (overflow.ts) and `model.analyzeRanges`.
 * @example
 * ```ts
 * const opts: InputOptions = { shape: [100, 16], bounds: [-10, 10] };
 * ```
 */
export interface InputOptions { shape?: number[]; integer?: boolean; bounds?: number | [number, number] }

/** Options of a conv2d. */
export interface Conv2DOptions { strides?: number | [number, number]; padding?: 'same' | 'valid' }
/** Options of a 2-D pooling. */
export interface Pool2DOptions { poolSize: number | [number, number]; strides?: number | [number, number]; padding?: 'same' | 'valid' }


/**
 * Where a tensor's shares went in a checkpoint: one file per player, written by that player
 * (relative to its data directory), with the kind, shape and scale needed to load it back.
 * @example
 * ```ts
 * const saved: SavedShares = { kind: 'private', shape: [4, 2], fracBits: 16, files: [{ player: 'server0', path: 'ckpt/a/server0/w0_0.bin' }, { player: 'server1', path: 'ckpt/a/server1/w0_1.bin' }] };
 * ```
 */
export interface SavedShares {
  kind: string;
  shape: number[];
  fracBits: number;
  /** Each player's share: a path for the `raw` loader, or another `loader` with its `args` (serving). */
  files: { player: string; path: string; loader?: string; args?: Record<string, unknown> }[];
}

/**
 * The interface every protocol implements (Pond, SecureNN, ABY3) and layers call. Ops take
 * tensors or liftable plain values, dispatch on public/private/masked operands, and return new
 * tensors; they only queue instructions, so nothing blocks until `reveal()` or an output.
 *
 * @example
 * ```ts
 * const prot: Protocol = tfe.getProtocol();
 * const y = prot.matmul(x, w);
 * ```
 */
export interface Protocol {
  /** Protocol name, e.g. `Pond`. */
  readonly name: string;
  /** Fractional bits of fixed-point values. */
  readonly fracBits: number;
  /** What the protocol can do beyond this interface, as typed objects (see capabilities.ts). */
  readonly capabilities: ProtocolCapabilities;

  definePrivateInput(player: string, provider: InputProvider, opts?: InputOptions): Promise<TfeTensor>;
  definePublicInput(player: string, provider: InputProvider, opts?: InputOptions): Promise<TfeTensor>;
  defineConstant(value: Liftable, opts?: { shape?: number[]; integer?: boolean }): TfeTensor;
  definePrivateVariable(init: TensorLike, opts?: { shape?: number[]; integer?: boolean }): TfeTensor;
  definePublicVariable(init: TensorLike, opts?: { shape?: number[]; integer?: boolean }): TfeTensor;
  defineOutput(player: string, x: TfeTensor, receive?: (values: Float64Array, shape: readonly number[]) => void | Promise<void>): Promise<void>;
  assign(variable: TfeTensor, value: TensorLike): void;
  cache(x: TfeTensor): TfeTensor;
  reveal(x: TfeTensor): Promise<Float64Array>;
  dispose(x: TfeTensor): void;
  /** Has each player write its own share(s) of `x` to `pathOf(player, index)`; nothing is revealed. */
  saveShares(x: TfeTensor, pathOf: (player: string, index: number) => string, sink?: { name: string; args: (player: string) => Record<string, unknown> }): SavedShares;
  /** Has each player load its own share(s) written by `saveShares`; returns a new tensor. */
  loadShares(saved: SavedShares): TfeTensor;

  add(x: TensorLike, y: TensorLike): TfeTensor;
  sub(x: TensorLike, y: TensorLike): TfeTensor;
  neg(x: TensorLike): TfeTensor;
  mul(x: TensorLike, y: TensorLike): TfeTensor;
  div(x: TensorLike, y: number | Liftable): TfeTensor;
  square(x: TensorLike): TfeTensor;
  pow(x: TensorLike, n: number): TfeTensor;
  matmul(x: TensorLike, y: TensorLike, opts?: { transposeA?: boolean; transposeB?: boolean }): TfeTensor;
  conv2d(x: TensorLike, w: TensorLike, opts?: Conv2DOptions): TfeTensor;
  avgPool2d(x: TensorLike, opts: Pool2DOptions): TfeTensor;
  reduceSum(x: TensorLike, axis?: number | number[], keepDims?: boolean): TfeTensor;
  mean(x: TensorLike, axis?: number | number[], keepDims?: boolean): TfeTensor;
  transpose(x: TensorLike, perm?: number[]): TfeTensor;
  reshape(x: TensorLike, shape: number[]): TfeTensor;
  expandDims(x: TensorLike, axis?: number): TfeTensor;
  squeeze(x: TensorLike, axes?: number[]): TfeTensor;
  concat(xs: TensorLike[], axis?: number): TfeTensor;
  stack(xs: TensorLike[], axis?: number): TfeTensor;
  slice(x: TensorLike, begin: number[], size?: number[]): TfeTensor;
  stridedSlice(x: TensorLike, begin: number[], end: number[], strides?: number[]): TfeTensor;
  pad(x: TensorLike, paddings: [number, number][]): TfeTensor;
  gather(x: TensorLike, indices: number[], axis?: number): TfeTensor;
  split(x: TensorLike, numOrSizes: number | number[], axis?: number): TfeTensor[];
  /**
   * c0 + c1·x + … + cd·x^d. `coefficientBits` (default the protocol's f): fractional bits of
   * the encoded coefficients; the weighted sum is truncated once from f + coefficientBits, so
   * small coefficients of high powers keep their precision.
   */
  polynomial(x: TensorLike, coefficients: ArrayLike<number>, coefficientBits?: number): TfeTensor;
  sigmoid(x: TensorLike): TfeTensor;
  tanh(x: TensorLike): TfeTensor;
  relu(x: TensorLike): TfeTensor;
}

let current: Protocol | undefined;
let defaultFactory: (() => Protocol) | undefined;

/**
 * Sets the protocol that `tfe.*` ops and layers use.
 * @example
 * ```ts
 * tfe.setProtocol(new tfe.protocols.Pond());
 * ```
 */
export function setProtocol(p: Protocol): void {
  if (!p || typeof p.add !== 'function') throw new ValueError(`\`protocol\` must be a protocol instance such as new Pond(), got ${String(p)}`);
  current = p;
}

/**
 * The active protocol (Pond unless `setProtocol` chose another).
 * @example
 * ```ts
 * tfe.getProtocol().name; // 'pond' by default
 * ```
 */
export function getProtocol(): Protocol {
  if (!current) {
    if (!defaultFactory) throw new ValueError('no protocol registered');
    current = defaultFactory();
  }
  return current;
}

/** Registers the factory of the default protocol (Pond). @internal */
export function setDefaultProtocolFactory(f: () => Protocol): void { defaultFactory = f; }

/** Forgets the active protocol, so the next use creates the default again. @internal */
export function resetProtocol(): void { current = undefined; }
