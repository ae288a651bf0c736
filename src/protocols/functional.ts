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
import { getProtocol, type Conv2DOptions, type InputProvider, type Pool2DOptions } from './protocol.js';
import type { Liftable, TensorLike, TfeTensor } from './tensor.js';

type ShapeOpts = { shape?: number[]; integer?: boolean };

/** A private input, secret-shared from its owner `player`; the driver never sees it. */
export const definePrivateInput = (player: string, provider: InputProvider, opts?: ShapeOpts) =>
  getProtocol().definePrivateInput(player, provider, opts);
/** A public input provided by `player` and known to every server. */
export const definePublicInput = (player: string, provider: InputProvider, opts?: ShapeOpts) =>
  getProtocol().definePublicInput(player, provider, opts);
/** A public constant from the driver. */
export const defineConstant = (value: Liftable, opts?: ShapeOpts) => getProtocol().defineConstant(value, opts);
/** A private variable, secret-shared from the driver's initial value (or a private tensor). */
export const definePrivateVariable = (init: TensorLike, opts?: ShapeOpts) => getProtocol().definePrivateVariable(init, opts);
/** A public variable. */
export const definePublicVariable = (init: TensorLike, opts?: ShapeOpts) => getProtocol().definePublicVariable(init, opts);
/** Reconstructs `x` on `player` only and hands the values to `receive` there. */
export const defineOutput = (player: string, x: TfeTensor, receive?: (values: Float64Array, shape: readonly number[]) => void | Promise<void>) =>
  getProtocol().defineOutput(player, x, receive);
/** Replaces a variable's value. */
export const assign = (variable: TfeTensor, value: TensorLike) => getProtocol().assign(variable, value);
/** Masks a private tensor once, for reuse in many products across steps. */
export const cache = (x: TfeTensor) => getProtocol().cache(x);
/** Opens a tensor to the driver. */
export const reveal = (x: TfeTensor) => getProtocol().reveal(x);

export const add = (x: TensorLike, y: TensorLike) => getProtocol().add(x, y);
export const sub = (x: TensorLike, y: TensorLike) => getProtocol().sub(x, y);
export const neg = (x: TensorLike) => getProtocol().neg(x);
export const mul = (x: TensorLike, y: TensorLike) => getProtocol().mul(x, y);
export const div = (x: TensorLike, y: number | Liftable) => getProtocol().div(x, y);
export const square = (x: TensorLike) => getProtocol().square(x);
export const pow = (x: TensorLike, n: number) => getProtocol().pow(x, n);
export const matmul = (x: TensorLike, y: TensorLike, opts?: { transposeA?: boolean; transposeB?: boolean }) => getProtocol().matmul(x, y, opts);
export const conv2d = (x: TensorLike, w: TensorLike, opts?: Conv2DOptions) => getProtocol().conv2d(x, w, opts);
export const avgPool2d = (x: TensorLike, opts: Pool2DOptions) => getProtocol().avgPool2d(x, opts);
export const reduceSum = (x: TensorLike, axis?: number | number[], keepDims?: boolean) => getProtocol().reduceSum(x, axis, keepDims);
export const mean = (x: TensorLike, axis?: number | number[], keepDims?: boolean) => getProtocol().mean(x, axis, keepDims);
export const transpose = (x: TensorLike, perm?: number[]) => getProtocol().transpose(x, perm);
export const reshape = (x: TensorLike, shape: number[]) => getProtocol().reshape(x, shape);
export const expandDims = (x: TensorLike, axis?: number) => getProtocol().expandDims(x, axis);
export const squeeze = (x: TensorLike, axes?: number[]) => getProtocol().squeeze(x, axes);
export const concat = (xs: TensorLike[], axis?: number) => getProtocol().concat(xs, axis);
export const stack = (xs: TensorLike[], axis?: number) => getProtocol().stack(xs, axis);
export const slice = (x: TensorLike, begin: number[], size?: number[]) => getProtocol().slice(x, begin, size);
export const stridedSlice = (x: TensorLike, begin: number[], end: number[], strides?: number[]) => getProtocol().stridedSlice(x, begin, end, strides);
export const pad = (x: TensorLike, paddings: [number, number][]) => getProtocol().pad(x, paddings);
export const gather = (x: TensorLike, indices: number[], axis?: number) => getProtocol().gather(x, indices, axis);
export const split = (x: TensorLike, numOrSizes: number | number[], axis?: number) => getProtocol().split(x, numOrSizes, axis);
export const polynomial = (x: TensorLike, coefficients: ArrayLike<number>) => getProtocol().polynomial(x, coefficients);
export const sigmoid = (x: TensorLike) => getProtocol().sigmoid(x);
export const tanh = (x: TensorLike) => getProtocol().tanh(x);
export const relu = (x: TensorLike) => getProtocol().relu(x);
