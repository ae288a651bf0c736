/**
 * The TF Encrypted-style functional API: `tfe.add(x, y)`, `tfe.matmul(x, w)`, ... Each call
 * forwards to the active protocol (`tfe.setProtocol`), so a script switches protocols in one
 * line.
 *
 * @example
 * ```ts
 * import * as tfe from 'tfe-js';
 * const x = await tfe.definePrivateInput('input-provider', () => [[1, 2], [3, 4]]);
 * const y = tfe.matmul(x, tfe.transpose(x));
 * console.log(await tfe.reveal(y));
 * ```
 */
import { getProtocol, type Conv2DOptions, type InputOptions, type InputProvider, type Pool2DOptions } from './protocol.js';
import type { Liftable, TensorLike, TfeTensor } from './tensor.js';

type ShapeOpts = { shape?: number[]; integer?: boolean };
type InputOpts = InputOptions;

/**
 * A private input, secret-shared from its owner `player`; the driver never sees it.
 * @example
 * ```ts
 * const x = await tfe.definePrivateInput('input-provider', () => [[1, 2], [3, 4]]);
 * ```
 */
export const definePrivateInput = (player: string, provider: InputProvider, opts?: InputOpts) =>
  getProtocol().definePrivateInput(player, provider, opts);
/**
 * A public input provided by `player` and known to every server.
 * @example
 * ```ts
 * const bias = await tfe.definePublicInput('model-owner', () => [0.1, 0.2]);
 * ```
 */
export const definePublicInput = (player: string, provider: InputProvider, opts?: InputOpts) =>
  getProtocol().definePublicInput(player, provider, opts);
/**
 * A public constant from the driver.
 * @example
 * ```ts
 * const c = tfe.defineConstant([1, 2, 3]);
 * ```
 */
export const defineConstant = (value: Liftable, opts?: ShapeOpts) => getProtocol().defineConstant(value, opts);
/**
 * A private variable, secret-shared from the driver's initial value (or a private tensor).
 * @example
 * ```ts
 * const w = tfe.definePrivateVariable(new Float64Array(4), { shape: [2, 2] });
 * ```
 */
export const definePrivateVariable = (init: TensorLike, opts?: ShapeOpts) => getProtocol().definePrivateVariable(init, opts);
/**
 * A public variable.
 * @example
 * ```ts
 * const step = tfe.definePublicVariable(0);
 * ```
 */
export const definePublicVariable = (init: TensorLike, opts?: ShapeOpts) => getProtocol().definePublicVariable(init, opts);
/**
 * Reconstructs `x` on `player` only and hands the values to `receive` there.
 * @example
 * ```ts
 * await tfe.defineOutput('result-receiver', y, (values) => console.log(values));
 * ```
 */
export const defineOutput = (player: string, x: TfeTensor, receive?: (values: Float64Array, shape: readonly number[]) => void | Promise<void>) =>
  getProtocol().defineOutput(player, x, receive);
/**
 * Replaces a variable's value.
 * @example
 * ```ts
 * tfe.assign(w, tfe.sub(w, tfe.mul(grad, 0.1)));
 * ```
 */
export const assign = (variable: TfeTensor, value: TensorLike) => getProtocol().assign(variable, value);
/**
 * Masks a private tensor once, for reuse in many products across steps.
 * @example
 * ```ts
 * const wc = tfe.cache(w); // later products with w reuse its mask
 * ```
 */
export const cache = (x: TfeTensor) => getProtocol().cache(x);
/**
 * Opens a tensor to the driver.
 * @example
 * ```ts
 * console.log(await tfe.reveal(y));
 * ```
 */
export const reveal = (x: TfeTensor) => getProtocol().reveal(x);

/**
 * Elementwise x + y, broadcasting like tfjs. Local: no communication.
 * @example
 * ```ts
 * const z = tfe.add(x, 1.5);
 * ```
 */
export function add(x: TensorLike, y: TensorLike): TfeTensor { return getProtocol().add(x, y); }

/**
 * Elementwise x − y, broadcasting like tfjs. Local: no communication.
 * @example
 * ```ts
 * const d = tfe.sub(x, y);
 * ```
 */
export function sub(x: TensorLike, y: TensorLike): TfeTensor { return getProtocol().sub(x, y); }

/**
 * Elementwise −x. Local.
 * @example
 * ```ts
 * const m = tfe.neg(x);
 * ```
 */
export function neg(x: TensorLike): TfeTensor { return getProtocol().neg(x); }

/**
 * Elementwise x · y with broadcasting. Private × private is a Beaver product plus a truncation (one round each); a public factor is local plus the truncation.
 * @example
 * ```ts
 * const z = tfe.mul(x, y);
 * ```
 */
export function mul(x: TensorLike, y: TensorLike): TfeTensor { return getProtocol().mul(x, y); }

/**
 * x divided by a public value (a product with its fixed-point reciprocal). Private divisors are not supported: use the protocol's reciprocal.
 * @example
 * ```ts
 * const half = tfe.div(x, 2);
 * ```
 */
export function div(x: TensorLike, y: number | Liftable): TfeTensor { return getProtocol().div(x, y); }

/**
 * Elementwise x² (one Beaver square, cheaper than `mul(x, x)`).
 * @example
 * ```ts
 * const x2 = tfe.square(x);
 * ```
 */
export function square(x: TensorLike): TfeTensor { return getProtocol().square(x); }

/**
 * Elementwise xⁿ for a public integer n ≥ 0, by repeated squaring (⌈log₂ n⌉ product rounds).
 * @example
 * ```ts
 * const x3 = tfe.pow(x, 3);
 * ```
 */
export function pow(x: TensorLike, n: number): TfeTensor { return getProtocol().pow(x, n); }

/**
 * Matrix product (2-D, or batched with equal leading dimensions), with optional transposes. One Beaver round plus one truncation.
 * @example
 * ```ts
 * const logits = tfe.matmul(x, w, { transposeB: true });
 * ```
 */
export function matmul(x: TensorLike, y: TensorLike, opts?: { transposeA?: boolean; transposeB?: boolean }): TfeTensor { return getProtocol().matmul(x, y, opts); }

/**
 * 2-D convolution, NHWC input and [kh, kw, inChannels, outChannels] filters (tfjs layout), with `strides` and `padding` ('valid' or 'same').
 * @example
 * ```ts
 * const y = tfe.conv2d(images, filters, { strides: 1, padding: 'same' });
 * ```
 */
export function conv2d(x: TensorLike, w: TensorLike, opts?: Conv2DOptions): TfeTensor { return getProtocol().conv2d(x, w, opts); }

/**
 * Average pooling, NHWC. Local sums and a public division.
 * @example
 * ```ts
 * const y = tfe.avgPool2d(x, { poolSize: 2 });
 * ```
 */
export function avgPool2d(x: TensorLike, opts: Pool2DOptions): TfeTensor { return getProtocol().avgPool2d(x, opts); }

/**
 * Sum over `axis` (all axes by default). Local.
 * @example
 * ```ts
 * const total = tfe.reduceSum(x, 1);
 * ```
 */
export function reduceSum(x: TensorLike, axis?: number | number[], keepDims?: boolean): TfeTensor { return getProtocol().reduceSum(x, axis, keepDims); }

/**
 * Mean over `axis` (all axes by default): a local sum and a public division.
 * @example
 * ```ts
 * const avg = tfe.mean(x, 0);
 * ```
 */
export function mean(x: TensorLike, axis?: number | number[], keepDims?: boolean): TfeTensor { return getProtocol().mean(x, axis, keepDims); }

/**
 * Permutes the axes (reverses them by default). Local.
 * @example
 * ```ts
 * const xt = tfe.transpose(x);
 * ```
 */
export function transpose(x: TensorLike, perm?: number[]): TfeTensor { return getProtocol().transpose(x, perm); }

/**
 * Gives `x` a new shape with the same number of elements (one −1 allowed). Local.
 * @example
 * ```ts
 * const flat = tfe.reshape(x, [-1]);
 * ```
 */
export function reshape(x: TensorLike, shape: number[]): TfeTensor { return getProtocol().reshape(x, shape); }

/**
 * Inserts an axis of length 1 at `axis` (default 0). Local.
 * @example
 * ```ts
 * const batch = tfe.expandDims(x, 0);
 * ```
 */
export function expandDims(x: TensorLike, axis?: number): TfeTensor { return getProtocol().expandDims(x, axis); }

/**
 * Removes axes of length 1 (all of them, or those listed). Local.
 * @example
 * ```ts
 * const v = tfe.squeeze(x, [0]);
 * ```
 */
export function squeeze(x: TensorLike, axes?: number[]): TfeTensor { return getProtocol().squeeze(x, axes); }

/**
 * Concatenates tensors along `axis` (default 0); private and public inputs mix. Local.
 * @example
 * ```ts
 * const joint = tfe.concat([xAlice, xBob], 1);
 * ```
 */
export function concat(xs: TensorLike[], axis?: number): TfeTensor { return getProtocol().concat(xs, axis); }

/**
 * Stacks tensors of equal shape along a new axis. Local.
 * @example
 * ```ts
 * const s = tfe.stack([a, b]);
 * ```
 */
export function stack(xs: TensorLike[], axis?: number): TfeTensor { return getProtocol().stack(xs, axis); }

/**
 * The block starting at `begin` of extent `size` (−1: to the end). Local.
 * @example
 * ```ts
 * const firstRow = tfe.slice(x, [0, 0], [1, -1]);
 * ```
 */
export function slice(x: TensorLike, begin: number[], size?: number[]): TfeTensor { return getProtocol().slice(x, begin, size); }

/**
 * Elements from `begin` (inclusive) to `end` (exclusive) with `strides`, like tfjs. Local.
 * @example
 * ```ts
 * const evens = tfe.stridedSlice(x, [0], [10], [2]);
 * ```
 */
export function stridedSlice(x: TensorLike, begin: number[], end: number[], strides?: number[]): TfeTensor { return getProtocol().stridedSlice(x, begin, end, strides); }

/**
 * Pads with zeros: `paddings[d]` = [before, after] for axis d. Local.
 * @example
 * ```ts
 * const p = tfe.pad(x, [[1, 1], [0, 0]]);
 * ```
 */
export function pad(x: TensorLike, paddings: [number, number][]): TfeTensor { return getProtocol().pad(x, paddings); }

/**
 * Takes the slices at public `indices` along `axis`. Local: the indices are public, the values stay shared.
 * @example
 * ```ts
 * const rows = tfe.gather(x, [2, 0], 0);
 * ```
 */
export function gather(x: TensorLike, indices: number[], axis?: number): TfeTensor { return getProtocol().gather(x, indices, axis); }

/**
 * Splits `x` along `axis` into equal parts or parts of the given sizes. Local.
 * @example
 * ```ts
 * const [a, b] = tfe.split(x, 2, 1);
 * ```
 */
export function split(x: TensorLike, numOrSizes: number | number[], axis?: number): TfeTensor[] { return getProtocol().split(x, numOrSizes, axis); }

/**
 * Evaluates Σ cₖ·xᵏ with public coefficients (c₀ first), powers by squaring.
 * @example
 * ```ts
 * const y = tfe.polynomial(x, [0.5, 0.25]);
 * ```
 */
export function polynomial(x: TensorLike, coefficients: ArrayLike<number>): TfeTensor { return getProtocol().polynomial(x, coefficients); }

/**
 * Sigmoid under the active protocol: Pond's Chebyshev approximation on its documented interval, or a protocol's exact-comparison form.
 * @example
 * ```ts
 * const p = tfe.sigmoid(logits);
 * ```
 */
export function sigmoid(x: TensorLike): TfeTensor { return getProtocol().sigmoid(x); }

/**
 * tanh under the active protocol (see {@link sigmoid} for the forms).
 * @example
 * ```ts
 * const h = tfe.tanh(x);
 * ```
 */
export function tanh(x: TensorLike): TfeTensor { return getProtocol().tanh(x); }

/**
 * relu under the active protocol: exact where the protocol has exact comparison, else its documented approximation.
 * @example
 * ```ts
 * const r = tfe.relu(x);
 * ```
 */
export function relu(x: TensorLike): TfeTensor { return getProtocol().relu(x); }
