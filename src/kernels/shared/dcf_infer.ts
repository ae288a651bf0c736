/**
 * Shape inference for the distributed comparison function's kernels (see kernel_names.ts):
 * `DcfGen` (alpha [n], beta [n, width] and seeds [n, 4] give both keys, [2, W, n]) and `DcfEval`
 * (one party's keys [W, n] and points [k·n] give [width, k·n]). Each checks its inputs and attributes, so a
 * player refuses a malformed instruction before the addon sees it; their outputs are bounded
 * by {@link MAX_DCF_OUTPUT_WORDS}.
 * @internal
 */
import { ValueError } from '../../errors.js';
import { ringName, U64, type RingSpec } from '../dtype.js';
import { DCF_EVAL, DCF_GEN, dcfKeyWords } from '../kernel_names.js';
import { registerOutputInference } from '../ops/infer_output.js';
import { checkInt } from '../ops/validate.js';

type Meta = { shape: readonly number[]; ring: RingSpec };

/**
 * Most words a DcfGen or DcfEval output may have: 2^28 (2 GiB), the bound on any shape from
 * the wire, so a player asked for keys cannot be made to allocate without limit (a key of
 * 63-bit inputs is 1.5 KB, or 2 KB with two payload words: at most 2^19 pairs of them).
 */
export const MAX_DCF_OUTPUT_WORDS = 2 ** 28;

/** Most points DcfEval evaluates per key (the evaluation's working memory grows with them; Pond's splines use 13). */
export const MAX_DCF_POINTS_PER_KEY = 256;

/** Checks that `x` is a u64 tensor of `shape` (−1: any length on that axis, at least 1); returns its shape. */
function expectShape(kernel: string, name: string, x: Meta, shape: number[]): readonly number[] {
  const ok = x.ring.dtype === 'u64' && x.ring.modulus === undefined && x.shape.length === shape.length &&
    shape.every((d, i) => (d < 0 ? x.shape[i] >= 1 : x.shape[i] === d));
  if (!ok) {
    const want = shape.map((d) => (d < 0 ? 'n' : String(d))).join(',');
    throw new ValueError(`\`${name}\` of ${kernel} must be a u64 tensor of shape [${want}], got [${x.shape.join(',')}] ${ringName(x.ring)}`);
  }
  return x.shape;
}

registerOutputInference(DCF_GEN, ['alpha', 'beta', 'seeds'], ([alpha, beta, seeds], attrs) => {
  const bits = checkInt('bits', attrs.bits, 1, 64);
  const width = checkInt('width', attrs.width, 1, 2);
  const [n] = expectShape(DCF_GEN, 'alpha', alpha, [-1]);
  const words = 2 * n * dcfKeyWords(bits, width);
  if (words > MAX_DCF_OUTPUT_WORDS) throw new ValueError(`DcfGen's keys may have at most ${MAX_DCF_OUTPUT_WORDS} words, got ${n} pairs of ${dcfKeyWords(bits, width)}`);
  expectShape(DCF_GEN, 'beta', beta, [n, width]);
  expectShape(DCF_GEN, 'seeds', seeds, [n, 4]);
  return { shape: [2, dcfKeyWords(bits, width), n], ring: U64 };
});

registerOutputInference(DCF_EVAL, ['keys', 'x'], ([keys, x], attrs) => {
  const bits = checkInt('bits', attrs.bits, 1, 64);
  const width = checkInt('width', attrs.width, 1, 2);
  checkInt('party', attrs.party, 0, 1);
  const [, n] = expectShape(DCF_EVAL, 'keys', keys, [dcfKeyWords(bits, width), -1]);
  const [m] = expectShape(DCF_EVAL, 'x', x, [-1]);
  if (m % n !== 0) throw new ValueError(`\`x\` of DcfEval must hold a whole number of points per key (a multiple of ${n}), got ${m}`);
  if (m / n > MAX_DCF_POINTS_PER_KEY) throw new ValueError(`DcfEval evaluates at most ${MAX_DCF_POINTS_PER_KEY} points per key, got ${m / n}`);
  if (width * m > MAX_DCF_OUTPUT_WORDS) throw new ValueError(`DcfEval's output may have at most ${MAX_DCF_OUTPUT_WORDS} words, got ${width} × ${m} points`);
  return { shape: [width, m], ring: U64 };
});
