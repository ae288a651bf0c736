/**
 * Shape inference for the packed boolean-circuit kernels (see kernel_names.ts): `BitUnzipPack`
 * (a rank-1 u64 input of m words gives ceil(m/2) words) and the carry-tree kernels of ABY3's
 * sign circuit, `SignLeafTerms`, `PrefixTerms`, `PrefixNextG`, `PrefixNextP` and `BitUnpackTree`, and the
 * levels of Pond's comparison tree, `PondLeaves`, `PondPrefixMask`, `PondPrefixCombine` and `PondPrefixDeal`. Each checks its
 * inputs and attributes, so a player refuses a malformed instruction before the addon sees it.
 * @internal
 */
import { ValueError } from '../../errors.js';
import { ringName, type RingSpec } from '../dtype.js';
import {
  BIT_UNPACK_TREE, BIT_UNZIP_PACK, LANE_PACK, SIGN_BITS_TREE, POND_LEAVES, POND_PREFIX_COMBINE, POND_PREFIX_DEAL, POND_PREFIX_MASK, PREFIX_NEXT_G, PREFIX_NEXT_P,
  PREFIX_TERMS, SIGN_LEAF_TERMS,
} from '../kernel_names.js';
import { registerOutputInference } from '../ops/infer_output.js';
import { checkBool } from '../ops/validate.js';

type Meta = { shape: readonly number[]; ring: RingSpec };

/** The word count of a rank-1 u64 input, or a ValueError naming it. */
function words(kernel: string, name: string, x: Meta): number {
  if (x.ring.dtype !== 'u64' || x.shape.length !== 1) {
    throw new ValueError(`\`${name}\` of ${kernel} must be a rank-1 u64 tensor, got [${x.shape.join(',')}] ${ringName(x.ring)}`);
  }
  return x.shape[0];
}

/** The `level` attribute, an integer in [lo, hi]. */
function level(kernel: string, attrs: { level?: unknown }, hi: number): number {
  const l = attrs.level;
  if (typeof l !== 'number' || !Number.isInteger(l) || l < 2 || l > hi) throw new ValueError(`\`level\` of ${kernel} must be an integer in [2, ${hi}], got ${String(l)}`);
  return l;
}

/** Inputs of equal word counts; returns the count. */
function sameWords(kernel: string, names: string[], xs: Meta[]): number {
  const m = words(kernel, names[0], xs[0]);
  xs.forEach((x, i) => {
    const n = words(kernel, names[i], x);
    if (n !== m) throw new ValueError(`\`${names[i]}\` of ${kernel} must have ${m} words like \`${names[0]}\`, got ${n}`);
  });
  return m;
}

function evenWords(kernel: string, m: number): number {
  if (m % 2 !== 0) throw new ValueError(`the inputs of ${kernel} must have an even number of words, got ${m}`);
  return m / 2;
}

registerOutputInference(BIT_UNZIP_PACK, ['x'], ([x]) => ({ shape: [Math.ceil(words(BIT_UNZIP_PACK, 'x', x) / 2)], ring: x.ring }));

registerOutputInference(PREFIX_TERMS, ['g0', 'g1', 'p0', 'p1'], (xs, attrs) => {
  level(PREFIX_TERMS, attrs, 6);
  return { shape: [sameWords(PREFIX_TERMS, ['g0', 'g1', 'p0', 'p1'], xs)], ring: xs[0].ring };
});

registerOutputInference(PREFIX_NEXT_G, ['g', 'z'], (xs, attrs) => {
  level(PREFIX_NEXT_G, attrs, 5);
  return { shape: [evenWords(PREFIX_NEXT_G, sameWords(PREFIX_NEXT_G, ['g', 'z'], xs))], ring: xs[0].ring };
});

registerOutputInference(PREFIX_NEXT_P, ['z'], ([z], attrs) => {
  level(PREFIX_NEXT_P, attrs, 5);
  return { shape: [evenWords(PREFIX_NEXT_P, words(PREFIX_NEXT_P, 'z', z))], ring: z.ring };
});

/** The optional `lanes` attribute (two 32-bit lanes per word). */
function lanes(kernel: string, attrs: { lanes?: unknown }): boolean {
  return checkBool(`lanes of ${kernel}`, attrs.lanes);
}

registerOutputInference(BIT_UNPACK_TREE, ['h'], ([h], attrs: { count?: unknown; lanes?: unknown }) => {
  const w = words(BIT_UNPACK_TREE, 'h', h);
  const per = lanes(BIT_UNPACK_TREE, attrs) ? 64 : 32;
  const c = attrs.count;
  if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c > per * w) {
    throw new ValueError(`\`count\` of ${BIT_UNPACK_TREE} must be an integer in [0, ${per * w}] (${per} per word of \`h\`), got ${String(c)}`);
  }
  return { shape: [c], ring: h.ring };
});

registerOutputInference(SIGN_BITS_TREE, ['h'], ([h], attrs: { lanes?: unknown }) => {
  lanes(SIGN_BITS_TREE, attrs);
  const n = words(SIGN_BITS_TREE, 'h', h);
  if (n % 32 !== 0) throw new ValueError(`\`h\` of ${SIGN_BITS_TREE} must have a multiple of 32 words (five halvings), got ${n}`);
  return { shape: [n / 32], ring: h.ring };
});

registerOutputInference(LANE_PACK, ['x'], ([x], attrs: { half?: unknown }) => {
  const n = words(LANE_PACK, 'x', x);
  const half = attrs.half;
  // at most one 128-element block of padding: the output never outgrows its input by more
  const most = Math.ceil(n / 2) + 64;
  if (typeof half !== 'number' || !Number.isInteger(half) || 2 * half < n || half > most) {
    throw new ValueError(`\`half\` of ${LANE_PACK} must be an integer in [${Math.ceil(n / 2)}, ${most}] for the ${n} words of \`x\`, got ${String(half)}`);
  }
  return { shape: [half], ring: x.ring };
});

registerOutputInference(SIGN_LEAF_TERMS, ['u', 'c', 'v'], ([u, c, v], attrs: { generate?: unknown; withV?: unknown }) => {
  const n = sameWords(SIGN_LEAF_TERMS, ['u', 'v'], [u, v]);
  const half = evenWords(SIGN_LEAF_TERMS, n);
  const m = words(SIGN_LEAF_TERMS, 'c', c);
  if (m !== half) throw new ValueError(`\`c\` of ${SIGN_LEAF_TERMS} must have ${half} words (half of \`u\`), got ${m}`);
  for (const k of ['generate', 'withV'] as const) {
    if (typeof attrs[k] !== 'boolean') throw new ValueError(`\`${k}\` of ${SIGN_LEAF_TERMS} must be a boolean, got ${String(attrs[k])}`);
  }
  return { shape: [half], ring: u.ring };
});

/** The AND operands of a Pond tree level: 2 on the last level (no e), 3 before. */
const pondParts = (attrs: Record<string, unknown>) => (checkBool('last', attrs.last) ? 2 : 3);

/** n, the elements of a (g, e) word pair `ge` of 2n words, and m = ceil(n/2). */
function pondPair(kernel: string, ge: Meta): { n: number; m: number } {
  const w = words(kernel, 'ge', ge);
  if (w % 2 !== 0) throw new ValueError(`\`ge\` of ${kernel} must hold g and e, an even number of words, got ${w}`);
  return { n: w / 2, m: Math.ceil(w / 4) };
}

/** Checks that input `name` has `want` words. */
function wordsOf(kernel: string, name: string, x: Meta, want: number): void {
  const w = words(kernel, name, x);
  if (w !== want) throw new ValueError(`\`${name}\` of ${kernel} must have ${want} words, got ${w}`);
}

registerOutputInference(POND_LEAVES, ['r', 'c'], (xs, attrs) => {
  checkBool('first', attrs.first);
  return { shape: [2 * sameWords(POND_LEAVES, ['r', 'c'], xs)], ring: xs[0].ring };
});

registerOutputInference(POND_PREFIX_MASK, ['ge', 'masks'], ([ge, masks], attrs) => {
  const k = pondParts(attrs);
  const { m } = pondPair(POND_PREFIX_MASK, ge);
  wordsOf(POND_PREFIX_MASK, 'masks', masks, k * m);
  return { shape: [k * m], ring: ge.ring };
});

registerOutputInference(POND_PREFIX_COMBINE, ['ge', 'opened', 'masks', 'ands'], ([ge, opened, masks, ands], attrs) => {
  checkBool('first', attrs.first);
  const k = pondParts(attrs);
  const { m } = pondPair(POND_PREFIX_COMBINE, ge);
  wordsOf(POND_PREFIX_COMBINE, 'opened', opened, k * m);
  wordsOf(POND_PREFIX_COMBINE, 'masks', masks, k * m);
  wordsOf(POND_PREFIX_COMBINE, 'ands', ands, (k - 1) * m);
  return { shape: [(k - 1) * m], ring: ge.ring };
});

registerOutputInference(POND_PREFIX_DEAL, ['masks'], ([masks], attrs) => {
  const k = pondParts(attrs);
  const w = words(POND_PREFIX_DEAL, 'masks', masks);
  if (w % k !== 0) throw new ValueError(`\`masks\` of ${POND_PREFIX_DEAL} must have a multiple of ${k} words, got ${w}`);
  return { shape: [(k - 1) * (w / k)], ring: masks.ring };
});
