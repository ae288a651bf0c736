import { ValueError } from '../errors.js';
import type { Protocol } from './protocol.js';

/** How a tensor is held: public (every server has it), private (secret-shared), or masked. */
export type TensorKind = 'public' | 'private' | 'masked';

/**
 * A value an op accepts besides a tensor: lifted to a public constant.
 * @example
 * ```ts
 * const y = tfe.mul(x, 0.5); // 0.5 is lifted to a public constant
 * ```
 */
export type Liftable = number | number[] | number[][] | Float64Array | Float32Array;

/**
 * Anything an op accepts as an operand.
 * @example
 * ```ts
 * const z = tfe.add(x, [1, 2, 3]); // a private tensor plus a public array
 * ```
 */
export type TensorLike = TfeTensor | Liftable;

/**
 * The base of every protocol tensor (`PondPrivateTensor`, `PondPublicTensor`, ...). It holds
 * handles on players, never values: printing shows the shape only, and any attempt to turn it
 * into a primitive or JSON throws, so nothing is revealed by accident. Methods forward to the
 * tensor's protocol, so `x.add(y)` is `tfe.add(x, y)`.
 *
 * @example
 * ```ts
 * const x = tfe.definePrivateInput('input-provider', () => [1, 2, 3]);
 * String(x);              // 'PondPrivateTensor(shape=[3], fracBits=16)'
 * await x.mul(2).reveal(); // Float64Array [2, 4, 6]
 * ```
 */
export abstract class TfeTensor {
  abstract readonly kind: TensorKind;

  constructor(
    readonly protocol: Protocol,
    readonly shape: readonly number[],
    /** Fractional bits of the fixed-point encoding: 0 for integers, else the protocol's f. */
    readonly fracBits: number,
  ) {}

  /**
   * A public upper bound on |x|, when one is known without opening anything: declared with
   * `definePrivateInput(..., {bounds})`, the largest magnitude of a public constant or of
   * plaintext weights, or the worst case of a product of bounded tensors (see overflow.ts).
   */
  bound?: number;

  /** Number of elements. */
  get size(): number { return this.shape.reduce((a, b) => a * b, 1); }
  /** Rank. */
  get rank(): number { return this.shape.length; }

  add(y: TensorLike): TfeTensor { return this.protocol.add(this, y); }
  sub(y: TensorLike): TfeTensor { return this.protocol.sub(this, y); }
  mul(y: TensorLike): TfeTensor { return this.protocol.mul(this, y); }
  div(y: number | Liftable): TfeTensor { return this.protocol.div(this, y); }
  neg(): TfeTensor { return this.protocol.neg(this); }
  square(): TfeTensor { return this.protocol.square(this); }
  pow(n: number): TfeTensor { return this.protocol.pow(this, n); }
  matmul(w: TensorLike, opts?: { transposeA?: boolean; transposeB?: boolean }): TfeTensor { return this.protocol.matmul(this, w, opts); }
  transpose(perm?: number[]): TfeTensor { return this.protocol.transpose(this, perm); }
  reshape(shape: number[]): TfeTensor { return this.protocol.reshape(this, shape); }
  expandDims(axis = 0): TfeTensor { return this.protocol.expandDims(this, axis); }
  squeeze(axes?: number[]): TfeTensor { return this.protocol.squeeze(this, axes); }
  reduceSum(axis?: number | number[], keepDims = false): TfeTensor { return this.protocol.reduceSum(this, axis, keepDims); }
  mean(axis?: number | number[], keepDims = false): TfeTensor { return this.protocol.mean(this, axis, keepDims); }
  slice(begin: number[], size?: number[]): TfeTensor { return this.protocol.slice(this, begin, size); }

  /** Opens the value to the driver: the one explicit way a secret leaves the players. */
  reveal(): Promise<Float64Array> { return this.protocol.reveal(this); }

  /** Frees the tensor's handles on the players. */
  dispose(): void { this.protocol.dispose(this); }

  /** A description without values. */
  toString(): string {
    return `${this.constructor.name}(shape=[${this.shape.join(',')}], fracBits=${this.fracBits})`;
  }

  /** Refuses: a protocol tensor never becomes a number. Use `reveal()`. */
  valueOf(): never { throw refuse(this, 'valueOf'); }
  /** Refuses: a protocol tensor never becomes JSON. Use `reveal()`. */
  toJSON(): never { throw refuse(this, 'toJSON'); }
  /** Refuses: a protocol tensor never becomes a primitive. Use `reveal()`. */
  [Symbol.toPrimitive](hint: string): string {
    if (hint === 'string') return this.toString();
    throw refuse(this, 'Symbol.toPrimitive');
  }
  /** Node's console shows the description only. */
  [Symbol.for('nodejs.util.inspect.custom')](): string { return this.toString(); }
}

function refuse(t: TfeTensor, what: string): ValueError {
  return new ValueError(`${t.constructor.name} cannot be converted with ${what}: its value is secret; call \`reveal()\` to open it`);
}
