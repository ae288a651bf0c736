/**
 * Shape inference for SecureNN's kernels (`PrivateCompareMask`, `PrivateCompareZeroTest`,
 * `BitDecomposeSub`, `AddModOdd`; see kernel_names.ts): checks every input's shape and ring, so a player
 * validates instructions from the network before the kernels (which trust their inputs) run.
 * @internal
 */
import { ValueError } from '../../errors.js';
import { ringName, type RingSpec } from '../dtype.js';
import { ADD_MOD_ODD, BIT_DECOMPOSE_SUB, PRIVATE_COMPARE_MASK, PRIVATE_COMPARE_ZERO_TEST } from '../kernel_names.js';
import { registerOutputInference } from '../ops/infer_output.js';

type Meta = { shape: readonly number[]; ring: RingSpec };

const fmt = (s: readonly number[]) => `[${s.join(',')}]`;

function expect(kernel: string, name: string, t: Meta, shape: readonly number[], ring: RingSpec): void {
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new ValueError(`\`${name}\` of ${kernel} must have shape ${fmt(shape)}, got ${fmt(t.shape)}`);
  }
  if (t.ring.dtype !== ring.dtype || (ring.dtype === 'u8' && t.ring.modulus !== ring.modulus)) {
    throw new ValueError(`\`${name}\` of ${kernel} must be ${ringName(ring)}, got ${ringName(t.ring)}`);
  }
}

/** x [n, 64] u8 mod p with 2 < p < 256: returns n and p. */
function fieldRows(kernel: string, name: string, x: Meta): [number, number] {
  const p = x.ring.modulus ?? 256;
  if (x.shape.length !== 2 || x.shape[1] !== 64 || x.ring.dtype !== 'u8' || p < 3 || p > 255) {
    throw new ValueError(`\`${name}\` of ${kernel} must be [n, 64] u8 mod p (2 < p < 256), got ${fmt(x.shape)} ${ringName(x.ring)}`);
  }
  return [x.shape[0], p];
}

registerOutputInference(PRIVATE_COMPARE_MASK, ['x', 'r', 'beta', 's', 'z', 'rot'], ([x, r, beta, s, z, rot]) => {
  const k = PRIVATE_COMPARE_MASK;
  const [n, p] = fieldRows(k, 'x', x);
  expect(k, 'r', r, [n], { dtype: 'u64' });
  expect(k, 'beta', beta, [n], { dtype: 'u8', modulus: 2 });
  expect(k, 's', s, [n, 64], { dtype: 'u8', modulus: p - 1 });
  expect(k, 'z', z, [n, 64], { dtype: 'u8', modulus: p });
  expect(k, 'rot', rot, [n], { dtype: 'u8', modulus: 64 });
  return { shape: [n, 64], ring: x.ring };
});

registerOutputInference(PRIVATE_COMPARE_ZERO_TEST, ['d0', 'd1'], ([d0, d1]) => {
  const [n, p] = fieldRows(PRIVATE_COMPARE_ZERO_TEST, 'd0', d0);
  expect(PRIVATE_COMPARE_ZERO_TEST, 'd1', d1, [n, 64], { dtype: 'u8', modulus: p });
  return { shape: [n], ring: { dtype: 'u8', modulus: 2 } };
});

registerOutputInference(ADD_MOD_ODD, ['a', 'b'], ([a, b]) => {
  const size = (t: Meta) => t.shape.reduce((x, y) => x * y, 1);
  if (a.ring.dtype !== 'u64' || b.ring.dtype !== 'u64') throw new ValueError(`${ADD_MOD_ODD} takes u64 tensors, got ${ringName(a.ring)} and ${ringName(b.ring)}`);
  if (size(b) !== 1 && (b.shape.length !== a.shape.length || b.shape.some((d, i) => d !== a.shape[i]))) {
    throw new ValueError(`\`b\` of ${ADD_MOD_ODD} must have the shape of \`a\` ${fmt(a.shape)} or one element, got ${fmt(b.shape)}`);
  }
  return { shape: [...a.shape], ring: a.ring };
});

registerOutputInference(BIT_DECOMPOSE_SUB, ['x', 's'], ([x, s]) => {
  if (x.ring.dtype !== 'u64' || x.shape.length !== 1) throw new ValueError(`\`x\` of ${BIT_DECOMPOSE_SUB} must be [n] u64, got ${fmt(x.shape)} ${ringName(x.ring)}`);
  const m = s.ring.modulus ?? 256;
  if (s.ring.dtype !== 'u8') throw new ValueError(`\`s\` of ${BIT_DECOMPOSE_SUB} must be u8 mod m, got ${ringName(s.ring)}`);
  expect(BIT_DECOMPOSE_SUB, 's', s, [x.shape[0], 64], { dtype: 'u8', modulus: m });
  return { shape: [x.shape[0], 64], ring: s.ring };
});
