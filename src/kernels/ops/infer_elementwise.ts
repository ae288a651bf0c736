/**
 * Shape-inference rules for elementwise, comparison, bit-level and creation kernels: each
 * validates its inputs and attributes and returns the output's shape and ring.
 * @internal
 */
import { ValueError } from '../../errors.js';
import { BITS, U64 } from '../dtype.js';
import { BINARY_KERNELS, COMPARE_KERNELS, SHIFT_KERNELS } from '../kernel_names.js';
import {
  broadcastOrThrow, checkBool, checkInt, checkRing, checkSameRing, checkShape, isBits, isU64,
  ringFromAttrs, type TensorInfo,
} from './validate.js';

/** A rule: (inputs, attrs) → output. Inputs were counted already. @example `const neg: Rule = ([x]) => ({ shape: [...x.shape], ring: x.ring })` */
export type Rule = (inputs: TensorInfo[], attrs: any) => TensorInfo;

const BITWISE = new Set(['BitwiseAnd', 'BitwiseOr', 'BitwiseXor', 'BitwiseNot']);
const u64OrBits = (r: TensorInfo['ring']) => isU64(r) || isBits(r);

function binaryRule(name: string): Rule {
  return ([a, b]) => {
    const ring = checkSameRing([['a', a], ['b', b]]);
    if (BITWISE.has(name)) checkRing('a', a, u64OrBits, `u64 or bits (u8 mod 2) for ${name}`);
    return { shape: broadcastOrThrow('a', a.shape, 'b', b.shape), ring };
  };
}

const compareRule: Rule = ([a, b], attrs) => {
  checkSameRing([['a', a], ['b', b]]);
  checkBool('signed', attrs.signed);
  return { shape: broadcastOrThrow('a', a.shape, 'b', b.shape), ring: BITS };
};

const shiftRule: Rule = ([x], attrs) => {
  checkRing('x', x, isU64, 'u64 (shifts act on Z_2^64)');
  checkInt('bits', attrs.bits, 0, 63);
  return { shape: [...x.shape], ring: U64 };
};

/** Rules of the elementwise and creation kernels, by kernel name. @example `ELEMENTWISE_RULES.Add([a, b], {})` */
export const ELEMENTWISE_RULES: Record<string, Rule> = {
  ...Object.fromEntries(BINARY_KERNELS.map((k) => [k, binaryRule(k)])),
  ...Object.fromEntries(COMPARE_KERNELS.map((k) => [k, compareRule])),
  ...Object.fromEntries(SHIFT_KERNELS.map((k) => [k, shiftRule])),
  Neg: ([x]) => ({ shape: [...x.shape], ring: x.ring }),
  BitwiseNot: ([x]) => {
    checkRing('x', x, u64OrBits, 'u64 or bits (u8 mod 2) for BitwiseNot');
    return { shape: [...x.shape], ring: x.ring };
  },
  Select: ([cond, a, b]) => {
    checkRing('cond', cond, isBits, 'bits (u8 mod 2)');
    const ring = checkSameRing([['a', a], ['b', b]]);
    const ab = broadcastOrThrow('a', a.shape, 'b', b.shape);
    return { shape: broadcastOrThrow('cond', cond.shape, 'a and b', ab), ring };
  },
  BitExtract: ([x], attrs) => {
    checkRing('x', x, isU64, 'u64');
    checkInt('bit', attrs.bit, 0, 63);
    return { shape: [...x.shape], ring: BITS };
  },
  BitDecompose: ([x], attrs) => {
    checkRing('x', x, isU64, 'u64');
    checkInt('modulus', attrs.modulus, 2, 256);
    return { shape: [...x.shape, 64], ring: { dtype: 'u8', modulus: attrs.modulus } };
  },
  Cast: ([x], attrs) => ({ shape: [...x.shape], ring: ringFromAttrs(attrs) }),
  OneHot: ([x], attrs) => {
    checkRing('x', x, isU64, 'u64 (indices)');
    checkInt('depth', attrs.depth, 0);
    return { shape: [...x.shape, attrs.depth], ring: ringFromAttrs(attrs) };
  },
  Fill: (_inputs, attrs) => {
    if (typeof attrs.value !== 'bigint') throw new ValueError(`\`value\` must be a bigint, got ${typeof attrs.value}`);
    return { shape: checkShape('shape', attrs.shape), ring: ringFromAttrs(attrs) };
  },
  PrgUniform: (_inputs, attrs) => {
    if (!(attrs.seed instanceof Uint8Array) || attrs.seed.length !== 16) {
      throw new ValueError(`\`seed\` must be a Uint8Array of 16 bytes, got ${attrs.seed?.length ?? typeof attrs.seed} ${attrs.seed instanceof Uint8Array ? 'bytes' : ''}`.trim());
    }
    for (const k of ['nonce', 'offset']) {
      const v = attrs[k];
      if (typeof v !== 'bigint' || v < 0n || v >= 1n << 64n) throw new ValueError(`\`${k}\` must be a bigint in [0, 2^64), got ${typeof v === 'bigint' ? `${v}n` : typeof v}`);
    }
    return { shape: checkShape('shape', attrs.shape), ring: ringFromAttrs(attrs) };
  },
};
