/**
 * The ring-engine kernels: their names and attributes. This file is the contract between the
 * front-door ops (`ops/`, which validate arguments and compute output shapes) and every
 * backend (`reference`, `native`, `cuda`), which may assume valid inputs. The reference
 * backend is the definition of each kernel's semantics; the others must match it bit for bit.
 *
 * Conventions:
 * - `u64` arithmetic is mod 2^64; `u8` arithmetic is mod the tensor's modulus m.
 * - Binary elementwise kernels broadcast like numpy/tfjs; both inputs are in the same ring.
 * - "Signed" reads a u64 as two's complement in [-2^63, 2^63).
 * - Outputs are fresh, row-major, and never alias inputs (except `Reshape`, which may share).
 * - A `dtype`/`modulus` attribute pair with dtype 'u8' and no modulus means mod 256 (as
 *   `normalizeRing`). Absent boolean attributes read as false. Axes are in [0, rank); the
 *   front doors resolve negative axes and −1 sizes before a kernel sees them.
 * - `ops/infer_output.ts` validates every kernel's inputs and attributes against this file.
 */

/** Elementwise binary: `Add`, `Sub`, `Mul` (any ring); `BitwiseAnd/Or/Xor` (u64, or u8 mod 2). */
export const BINARY_KERNELS = ['Add', 'Sub', 'Mul', 'BitwiseAnd', 'BitwiseOr', 'BitwiseXor'] as const;
export type BinaryKernel = (typeof BINARY_KERNELS)[number];

/**
 * Comparisons of public values, elementwise with broadcasting; output is bits (u8 mod 2).
 * Attrs: {@link CompareAttrs}.
 */
export const COMPARE_KERNELS = ['Less', 'LessEqual', 'Greater', 'GreaterEqual', 'Equal', 'NotEqual'] as const;
export type CompareKernel = (typeof COMPARE_KERNELS)[number];
/** `signed`: compare u64 as two's complement (ignored for u8, which compares as unsigned). */
export interface CompareAttrs { signed: boolean }

/** `Neg` (−x mod m), `BitwiseNot` (~x for u64; 1 − x for u8 mod 2). No attrs. */
export const UNARY_KERNELS = ['Neg', 'BitwiseNot'] as const;
export type UnaryKernel = (typeof UNARY_KERNELS)[number];

/**
 * u64 shifts by a public amount `bits` in [0, 63]: `ShiftLeft`, `ShiftRightLogical`,
 * `ShiftRightArithmetic` (sign-extending).
 */
export const SHIFT_KERNELS = ['ShiftLeft', 'ShiftRightLogical', 'ShiftRightArithmetic'] as const;
export type ShiftKernel = (typeof SHIFT_KERNELS)[number];
export interface ShiftAttrs { bits: number }

/** `Select(cond, a, b)`: a where cond (bits, u8 mod 2) is 1, else b; all three broadcast. */
export const SELECT = 'Select';

/** `BitExtract(x)` (u64): bit `bit` (0 = least significant) of each element, as bits. */
export const BIT_EXTRACT = 'BitExtract';
export interface BitExtractAttrs { bit: number }

/**
 * `BitDecompose(x)` (u64): all 64 bits of each element, least significant first, as a u8
 * tensor mod `modulus` of shape [...x.shape, 64].
 */
export const BIT_DECOMPOSE = 'BitDecompose';
export interface BitDecomposeAttrs { modulus: number }

/**
 * `Cast(x)`: u64 → u8 mod m takes x mod m; u8 → u64 takes the value; u8 → u8 mod m' takes
 * value mod m'; u64 → u64 is a copy.
 */
export const CAST = 'Cast';
export interface CastAttrs { dtype: 'u64' | 'u8'; modulus?: number }

/**
 * `MatMul(a, b)`: a [...batchA, M, K] · b [...batchB, K, N] → [...batch, M, N] (any ring).
 * Leading batch dimensions broadcast; rank-2 operands are plain matrix products.
 * `transposeA`/`transposeB` swap the last two axes of the operand first.
 */
export const MATMUL = 'MatMul';
export interface MatMulAttrs { transposeA: boolean; transposeB: boolean }

/** Padding of a 2-D window op, TensorFlow semantics. */
export type Padding = 'same' | 'valid';

/**
 * `Conv2D(x, w)`: x NHWC [N, H, W, C], w HWIO [kh, kw, C, F] → [N, oh, ow, F], u64 only.
 * 'valid': oh = ceil((H − kh + 1) / sh). 'same': oh = ceil(H / sh), total padding
 * max((oh − 1)·sh + kh − H, 0), of which floor(total / 2) goes on top (left), the rest at the
 * bottom (right), as in TensorFlow. Equal to im2col followed by a matmul with w as [kh·kw·C, F].
 */
export const CONV2D = 'Conv2D';
export interface Conv2DAttrs { strides: [number, number]; padding: Padding }

/**
 * `Im2Col(x)`: x [N, H, W, C] → [N·oh·ow, kh·kw·C]; row (n, i, j) holds the window at output
 * position (i, j) in (dy, dx, c) order, zeros where the window hangs over the padding.
 */
export const IM2COL = 'Im2Col';
export interface Im2ColAttrs { kernelSize: [number, number]; strides: [number, number]; padding: Padding }

/** `Col2Im(cols)`: the adjoint of Im2Col — scatters and sums rows back into [N, H, W, C]. */
export const COL2IM = 'Col2Im';
export interface Col2ImAttrs extends Im2ColAttrs { inputShape: [number, number, number, number] }

/** `Transpose(x)`: output axis i is input axis perm[i]. */
export const TRANSPOSE = 'Transpose';
export interface TransposeAttrs { perm: number[] }

/** `Reshape(x)`: same elements, new shape (same size). May share storage. */
export const RESHAPE = 'Reshape';
export interface ReshapeAttrs { shape: number[] }

/**
 * `Slice(x)`: output has shape `size`; element j on axis i reads begin[i] + j·strides[i]
 * (strides ≥ 1; all reads in bounds).
 */
export const SLICE = 'Slice';
export interface SliceAttrs { begin: number[]; size: number[]; strides: number[] }

/** `Concat(...xs)`: joins same-ring tensors along `axis`. */
export const CONCAT = 'Concat';
export interface ConcatAttrs { axis: number }

/** `Pad(x)`: adds `paddings[i] = [before, after]` zeros on each axis. */
export const PAD = 'Pad';
export interface PadAttrs { paddings: [number, number][] }

/**
 * `Gather(x)`: picks `indices` (public, in [0, x.shape[axis])) along `axis`; the axis length
 * becomes indices.length.
 */
export const GATHER = 'Gather';
export interface GatherAttrs { axis: number; indices: number[] | Int32Array }

/** `Tile(x)`: repeats x `reps[i]` times along axis i. */
export const TILE = 'Tile';
export interface TileAttrs { reps: number[] }

/** `ReduceSum(x)`: sums over `axes` (mod the ring); keeps them as size 1 when `keepDims`. */
export const REDUCE_SUM = 'ReduceSum';
export interface ReduceSumAttrs { axes: number[]; keepDims: boolean }

/**
 * `CumSum(x)`: running sums along `axis`. `exclusive` leaves out the element itself;
 * `reverse` sums from the end.
 */
export const CUMSUM = 'CumSum';
export interface CumSumAttrs { axis: number; exclusive: boolean; reverse: boolean }

/**
 * `OneHot(x)` (u64 indices): [...x.shape, depth] with 1 at the index and 0 elsewhere (all zero
 * for an index ≥ depth), in the ring given by `dtype`/`modulus`.
 */
export const ONE_HOT = 'OneHot';
export interface OneHotAttrs { depth: number; dtype: 'u64' | 'u8'; modulus?: number }

/** `Fill()`: a tensor of `shape` with every element `value` (reduced into the ring). */
export const FILL = 'Fill';
export interface FillAttrs { shape: number[]; value: bigint; dtype: 'u64' | 'u8'; modulus?: number }

/**
 * `PrgUniform()`: uniform elements from AES-128-CTR keyed by `seed` (16 bytes). The counter
 * block of block i is nonce (8 bytes big-endian) ‖ offset + i (8 bytes big-endian); the
 * keystream is the encryption of successive counter blocks, as node:crypto 'aes-128-ctr' with
 * that IV produces. The counter block is one big-endian 128-bit integer, so a stream that runs
 * past offset 2^64 − 1 carries into the nonce (node:crypto behaviour). Element rules:
 * - u64: element k is the little-endian u64 at keystream bytes [8k, 8k + 8).
 * - u8 mod 2: element k is bit (k mod 8) of keystream byte floor(k / 8).
 * - u8 mod m (else): keystream bytes b in order; b is accepted when b < 256 − (256 mod m) and
 *   yields b mod m (rejection sampling, so the result is exactly uniform).
 */
export const PRG_UNIFORM = 'PrgUniform';
export interface PrgUniformAttrs {
  seed: Uint8Array;
  nonce: bigint;
  offset: bigint;
  shape: number[];
  dtype: 'u64' | 'u8';
  modulus?: number;
}

/**
 * `PermuteLastAxis(x, keys)`: x [..., k] (any ring), keys u64 of the same shape. Each row
 * (last axis) of x is permuted by Fisher–Yates driven by that row's keys: for i = k−1 down to
 * 1, j = floor(keys[i]·(i+1) / 2^64), swap positions i and j (keys[0] is unused). With uniform
 * keys the permutation is uniform over all k! orders, up to a bias below 2^−57 per row; two
 * players holding the same keys apply the same permutation (SecureNN's PrivateCompare). No attrs.
 * One TypeScript body (data movement) serves both host backends: `src/kernels/shared/`.
 */
export const PERMUTE_LAST_AXIS = 'PermuteLastAxis';

// ---- Fused kernels of Pond's elementwise chains (one pass, one output, instead of a chain) ----

/**
 * `AddN(...xs)` (u64): the elementwise sum mod 2^64 of one or more tensors. Every input has the
 * same shape, except rank-0 inputs, which broadcast; the output has the common shape ([] when
 * every input is rank 0). Equal to a chain of `Add`s.
 */
export const ADD_N = 'AddN';

/**
 * `TruncDealLow(r0, r1, s)` (u64, one shape): ((r0 + r1) mod 2^63) >> `bits` − s, mod 2^64.
 * The dealer's share of t = (r mod 2^63) >> k in a truncation (`bits` in [1, 62]); the
 * protocols call it through {@link TRUNC_DEAL_STACKED}, which is defined by it.
 */
export const TRUNC_DEAL_LOW = 'TruncDealLow';
export interface TruncDealLowAttrs { bits: number }

/**
 * `TruncDealMsb(r0, r1, s)` (u64, one shape): ((r0 + r1) >> 63) − s, mod 2^64. The dealer's
 * share of m = r >> 63 in a truncation (through {@link TRUNC_DEAL_STACKED}). No attrs.
 */
export const TRUNC_DEAL_MSB = 'TruncDealMsb';

/**
 * `TruncFinish(cOwn, cOther, t, m)` (u64, one shape): a server's share of the truncation
 * result from its part of the opened c and its shares t, m. With c = cOwn + cOther,
 * c63 = c >> 63, k = `bits` in [1, 62] and w = m − 2·c63·m (+ c63 when `first`):
 * y = 2^(63−k)·w − t, plus ((c mod 2^63) >> k) − 2^(62−k) when `first` (all mod 2^64). The
 * protocols call it through {@link TRUNC_FINISH_STACKED}, which is defined by it.
 */
export const TRUNC_FINISH = 'TruncFinish';
export interface TruncFinishAttrs { bits: number; first: boolean }
/**
 * `TruncMask(x, r)` (u64: x of n elements, any shape; r rank 1 [p·n], p ∈ {1, 2, 3} → x's shape):
 * x + r[0..n), plus 2^62 on the `first` server: a server's masked part of c in a truncation,
 * reading its mask from the head of the stacked randomness it shares with the dealer.
 */
export const TRUNC_MASK = 'TruncMask';
/** Attributes of {@link TRUNC_MASK}. */
export interface TruncMaskAttrs { first: boolean }

/**
 * `TruncDealStacked(rtm, r1)` (u64: rtm [3n] = r0, t0, m0; r1 [n] → [2n]): the dealer's parts
 * for server1 of one truncation, [TruncDealLow(r0, r1, t0), TruncDealMsb(r0, r1, m0)], from the
 * stream it shares with server0 drawn once. `bits` in [1, 62].
 */
export const TRUNC_DEAL_STACKED = 'TruncDealStacked';

/**
 * `TruncFinishStacked(cOwn, cOther, tm)` (u64: cOwn and cOther of one shape, n elements; tm
 * rank 1 [p·n], p ∈ {2, 3} → cOwn's shape): `TruncFinish(cOwn, cOther, t, m)` with t and m the
 * last two parts of tm (server0's stacked r0, t0, m0; server1's dealt t1, m1).
 */
export const TRUNC_FINISH_STACKED = 'TruncFinishStacked';
// ---- SecureNN's PrivateCompare, fused (one pass per element; see native/securenn_compare.cc) ----

/**
 * `PrivateCompareMask(x, r, beta, s, z, rot)`: one server's message in SecureNN's PrivateCompare
 * (Wagh, Gupta, Chandran, PETS 2019, Algorithm 3), steps 1–5 fused. Inputs: x [n, 64] u8 mod p
 * (the server's Z_p shares of the bits of the secret, least significant first), r [n] u64 and
 * beta [n] bits (public, common to both servers), s [n, 64] u8 mod p − 1, z [n, 64] u8 mod p,
 * rot [n] u8 mod 64 (common randomness of the two servers). Attrs {@link PrivateCompareMaskAttrs}.
 * For each element, with ρ = r + 1 (mod 2^64) when β = 1 else r, σ = 1 − 2β, and
 * "+[first]" meaning "added by server0 only", for i = 63 … 0:
 *   w_i = x_i·(1 − 2ρ_i) + [first]·ρ_i,  c_i = σ·([first]·ρ_i − x_i) + Σ_{k>i} w_k + [first]·1,
 *   and when `edgeCase` and β = 1 and r = 2^64 − 1: c = [first]·(0, 1, …, 1);
 *   out[(i + rot) mod 64] = (s_i + 1)·c_i + z_i (server0) or − z_i (server1), all mod p.
 * Output [n, 64] u8 mod p.
 */
export const PRIVATE_COMPARE_MASK = 'PrivateCompareMask';
export interface PrivateCompareMaskAttrs { first: boolean; edgeCase: boolean }

/**
 * `PrivateCompareZeroTest(d0, d1)`: d0, d1 [n, 64] u8 mod p → bits [n], 1 where some
 * (d0 + d1) mod p of the row is 0 (server2's last step of PrivateCompare). No attrs.
 */
export const PRIVATE_COMPARE_ZERO_TEST = 'PrivateCompareZeroTest';

/**
 * `BitDecomposeSub(x, s)`: x [n] u64, s [n, 64] u8 mod m → (bit_i(x_e) − s[e, i]) mod m, shape
 * [n, 64], ring of s: the second Z_m share of x's bits when s is the first (BitDecompose then
 * Sub, in one pass). No attrs.
 */
export const BIT_DECOMPOSE_SUB = 'BitDecomposeSub';

/**
 * `AddModOdd(a, b)` (u64): (a + b) mod (2^64 − 1), SecureNN's odd ring Z_N, for any u64 a, b
 * (unreduced inputs allowed: the value 2^64 − 1 reads as 0); b has a's shape or one element.
 * Result in [0, 2^64 − 1). No attrs.
 */
export const ADD_MOD_ODD = 'AddModOdd';

// ---- Packed boolean circuits (bit-sliced prefix trees over XOR-shared words) ----

/**
 * `BitUnzipPack(x)` (u64, rank 1 [m] → [ceil(m/2)]): one level of a bit-packed prefix tree
 * (Pond's tree runs it inside {@link POND_PREFIX_MASK} and {@link POND_PREFIX_COMBINE}).
 * half(w) gathers the 32 even bits of w (the odd bits when `odd`) into bits 0..31 in order
 * (bit 2i (+1) → bit i); out[j] = half(x[2j]) | half(x[2j+1]) << 32, with x[m] read as 0.
 * A bit permutation, so it commutes with XOR sharing: each server applies it to its share.
 */
export const BIT_UNZIP_PACK = 'BitUnzipPack';
export interface BitUnzipPackAttrs { odd: boolean }

/**
 * `PondLeaves(r, c)` (u64, rank 1, equal lengths n → [2n]): one server's XOR shares of the
 * leaves of Pond's comparison tree (protocols/pond/compare.ts) for c = x + r opened and r's
 * bits XOR-shared: with T = 2^63, g = r & (~c | T), e = r & ~T, and on the `first` server
 * also g ^= c & T, e ^= ~c | T. out = g then e (words 0..n−1, then n..2n−1).
 */
export const POND_LEAVES = 'PondLeaves';
/** Attributes of {@link POND_LEAVES}: whether this is server0's share. */
export interface PondLeavesAttrs { first: boolean }

/**
 * `PondPrefixMask(ge, masks)` (u64, rank 1: ge [2n], masks [k·m] with m = ceil(n/2), k = 2
 * when `last`, else 3 → [k·m]): one server's masked AND operands of one level of Pond's
 * bit-packed comparison tree. With g, e the halves of ge and even/odd as in
 * {@link BIT_UNZIP_PACK}: out = [odd(e) ^ a, even(g) ^ b1, even(e) ^ b2] for masks
 * [a, b1, b2] (no third part when `last`).
 */
export const POND_PREFIX_MASK = 'PondPrefixMask';
/** Attributes of {@link POND_PREFIX_MASK}, {@link POND_PREFIX_COMBINE} and {@link POND_PREFIX_DEAL}. */
export interface PondPrefixAttrs { last: boolean }

/**
 * `PondPrefixCombine(ge, opened, masks, ands)` (u64, rank 1: ge [2n], opened and masks [k·m],
 * ands [(k−1)·m], k and m as for {@link POND_PREFIX_MASK} → [(k−1)·m]): one server's share of
 * the next level's (g, e). With opened = [d, v1, v2], masks = [a, b1, b2], ands = [c1, c2]:
 * p_j = c_j ^ (d & b_j) ^ (v_j & a), and ^ (d & v_j) on the `first` server (the Beaver AND);
 * out = [odd(g) ^ p_1, p_2] (only the first part when `last`).
 */
export const POND_PREFIX_COMBINE = 'PondPrefixCombine';
/** Attributes of {@link POND_PREFIX_COMBINE}. */
export interface PondPrefixCombineAttrs extends PondPrefixAttrs { first: boolean }

/**
 * `PondPrefixDeal(masks)` (u64, rank 1 [k·m] → [(k−1)·m], k = 2 when `last`, else 3): the
 * dealer's AND triples of one tree level, out = [a & b1, a & b2] for masks [a, b1, b2].
 */
export const POND_PREFIX_DEAL = 'PondPrefixDeal';

/**
 * `PrefixTerms(g0, g1, p0, p1)` (u64, rank 1, equal lengths m → [m]): the local cross terms of
 * one level of ABY3's bit-packed carry tree (protocols/aby3/msb.ts), on one server's two
 * replicated slots of the generate words G and propagate words P. With s = 2^(level−1) and
 * M the mask of the low s bits of every 2s-bit block (0x5555… for level 1, …, 0x00000000ffffffff
 * for level 6): ph_k = (p_k >> s) & M, x_k = ph_k | ph_k << s, y_k = (g_k & M) | (p_k & M) << s,
 * out = x_0 & (y_0 ^ y_1) ^ x_1 & y_0 (the ABY3 §5.1 product over GF(2) of x and y).
 * `level` in [2, 6].
 */
export const PREFIX_TERMS = 'PrefixTerms';
/** Attributes of {@link PREFIX_TERMS}, {@link PREFIX_NEXT_G} and {@link PREFIX_NEXT_P}. */
export interface PrefixLevelAttrs { level: number }

/**
 * `PrefixNextG(g, z)` (u64, rank 1, equal even lengths m → [m/2]): one slot's generate words
 * for the next level: r = ((g >> s) & M) ^ (z & M), then the two halves merged,
 * out[j] = r[j] | r[j + m/2] << s (s, M as for {@link PREFIX_TERMS}; `level` in [2, 5]).
 */
export const PREFIX_NEXT_G = 'PrefixNextG';

/**
 * `PrefixNextP(z)` (u64, rank 1, even length m → [m/2]): one slot's propagate words for the
 * next level: r = (z >> s) & M, merged as in {@link PREFIX_NEXT_G}.
 */
export const PREFIX_NEXT_P = 'PrefixNextP';

/**
 * `BitUnpackTree(h)` (u64, rank 1 [w] → [count]): the inverse of the carry tree's five merges,
 * one bit per output word: out[e] = (h[e mod w] >> rev5(⌊e / w⌋)) & 1, where rev5 reverses the
 * five bits of its argument; `count` ≤ 32·w. With `lanes` (two 32-bit lanes per word, ABY3's
 * bounded sign circuit) `count` ≤ 64·w, and element 32·w + e' reads the high halves: bit
 * 32 + rev5(⌊e' / w⌋) of h[e' mod w].
 */
export const BIT_UNPACK_TREE = 'BitUnpackTree';
export interface BitUnpackTreeAttrs { count: number; lanes?: boolean }

/**
 * `SignBitsTree(h)` (u64, rank 1 [n], n a multiple of 32 → [n/32]): bit 63 of every word, placed
 * where the carry tree's five merges (A | B << s for s = 1, 2, 4, 8, 16) leave an element:
 * bit rev5(q) of out[j] is bit 63 of h[q·w + j], with w = n/32 (the layout
 * {@link BIT_UNPACK_TREE} reads). One pass instead of a shift and five merges (21 word ops).
 * With `lanes`, bit rev5(q) is bit 31 of that word and bit 32 + rev5(q) its bit 63 (each
 * 32-bit lane's top bit).
 */
export const SIGN_BITS_TREE = 'SignBitsTree';
export interface SignBitsTreeAttrs { lanes?: boolean }

/**
 * `LanePack(x)` (u64, rank 1 [n] → [half], ⌈n/2⌉ ≤ half ≤ ⌈n/2⌉ + 64): two 32-bit lanes per word, x read as
 * zero past its end: out[e] = (x[e] mod 2^32) | x[half + e] << 32. The addends of ABY3's
 * bounded sign circuit (aby3/msb_lanes.ts), in one pass instead of a pad, two slices and three
 * word ops.
 */
export const LANE_PACK = 'LanePack';
export interface LanePackAttrs { half: number }

/**
 * `SignLeafTerms(u, c, v)` (u64, rank 1: u and v [n], c [n/2], n even → [n/2]): one server's
 * XOR share of the first level of ABY3's carry tree, for the sum of two addends u and v whose
 * pair products u_h·u_l arrive merged in c. With M = 0x5555…, T = 2^63:
 * c'[e] = c[e] & M for e < n/2, (c[e − n/2] >> 1) & M after; vv = v & ¬T, vs = vv >> 1,
 * us = u >> 1, vhl = vs & vv & M; G = (us & vs) ^ (c' & vv) ^ (u & vhl), P = (us & vv) ^ (u & vs)
 * ^ c' (^ vhl when `withV`); r = (G or P, as `generate` says) & M, and out[j] = r[j] | r[j + n/2] << 1.
 */
export const SIGN_LEAF_TERMS = 'SignLeafTerms';
export interface SignLeafTermsAttrs { generate: boolean; withV: boolean }

// ---- Function secret sharing (the dealer's distributed comparison function) ----

/**
 * `DcfGen(alpha, beta, seeds)` (u64: alpha [n], beta [n, width], seeds [n, 4] → [2, W, n] with
 * W = {@link dcfKeyWords}(bits, width)): the two keys of a distributed comparison function per
 * element, DCF_{α,β}(x) = β if x < α else 0 on `bits`-bit unsigned inputs, with a payload β of
 * `width` ring elements (Boyle, Chandran, Gilboa, Gupta, Ishai, Kumar, Rathee, "Function Secret
 * Sharing for Mixed-Mode and Fixed-Point Secure Computation", EUROCRYPT 2021, Fig. 1), so that
 * DcfEval(key 0, x) + DcfEval(key 1, x) = β·[x < α] mod 2^64. α is read modulo 2^bits; seeds[i]
 * holds the two parties' 128-bit root seeds (random words). The tree's PRG is fixed-key AES-128
 * in Matyas–Meyer–Oseas form, G_j(s) = AES_K(s ⊕ j) ⊕ s ⊕ j for j = 0 … 1 + width (j XORed
 * into the low word), with K the 16 ASCII bytes `tfe-js dcf prg/1`: G_0 gives the left seed
 * (bit 0: its control bit; bits 0–1 cleared), G_1 the right seed, the rest the left then the
 * right values. A party's keys are [W, n], word j of key i at j·n + i (a level's words of all
 * keys are contiguous): words 0–1 the root seed; per level l (from the most significant input
 * bit) 2 + width words from 2 + (2 + width)·l: the seed correction with the left and right
 * control-bit corrections in bits 0 and 1, its high word, the value corrections; the last
 * `width` words the final correction (Convert(s) takes word c of the final seed).
 */
export const DCF_GEN = 'DcfGen';
/** Attributes of {@link DCF_GEN} and {@link DCF_EVAL}: input bits, 1..64, and payload words, 1..2. */
export interface DcfAttrs { bits: number; width: number }

/**
 * `DcfEval(keys, x)` (u64: keys [W, n] of one party, x [k·n] → [width, k·n]): that party's
 * additive share of DCF_{α_i,β_i}(x[j·n + i] mod 2^bits) for key i, so one key answers k points
 * (the points are public: both parties evaluate the same ones). `party` is 0 or 1, the key's
 * slot in {@link DCF_GEN}'s output. Points of one key that agree on their top bits share that
 * part of the tree walk.
 */
export const DCF_EVAL = 'DcfEval';
/** Attributes of {@link DCF_EVAL}. */
export interface DcfEvalAttrs extends DcfAttrs { party: number }

/**
 * Words of one DCF key on `bits`-bit inputs with a `width`-word payload: 2 for the root seed,
 * 2 + width per level, and `width` for the final correction.
 * @example `dcfKeyWords(63, 2) // 256`
 */
export function dcfKeyWords(bits: number, width: number): number {
  return 2 + (2 + width) * bits + width;
}

/** Attributes of a kernel that takes none. */
export type NoAttrs = Record<string, never>;

/**
 * Every kernel of the contract and the type of its attributes: the typed surface of
 * `Runtime.op` and `runKernel`, so a misspelt kernel or a wrong attribute fails `tsc`.
 * A kernel with all-optional attributes may be called without them.
 * @example
 * ```ts
 * const attrs: KernelAttrMap['MatMul'] = { transposeA: false, transposeB: true };
 * ```
 */
export interface KernelAttrMap {
  Add: NoAttrs; Sub: NoAttrs; Mul: NoAttrs; BitwiseAnd: NoAttrs; BitwiseOr: NoAttrs; BitwiseXor: NoAttrs;
  Less: Partial<CompareAttrs>; LessEqual: Partial<CompareAttrs>; Greater: Partial<CompareAttrs>;
  GreaterEqual: Partial<CompareAttrs>; Equal: Partial<CompareAttrs>; NotEqual: Partial<CompareAttrs>;
  Neg: NoAttrs; BitwiseNot: NoAttrs;
  ShiftLeft: ShiftAttrs; ShiftRightLogical: ShiftAttrs; ShiftRightArithmetic: ShiftAttrs;
  Select: NoAttrs;
  BitExtract: BitExtractAttrs;
  BitDecompose: BitDecomposeAttrs;
  Cast: CastAttrs;
  MatMul: Partial<MatMulAttrs>;
  Conv2D: Conv2DAttrs;
  Im2Col: Im2ColAttrs;
  Col2Im: Col2ImAttrs;
  Transpose: TransposeAttrs;
  Reshape: ReshapeAttrs;
  Slice: SliceAttrs;
  Concat: ConcatAttrs;
  Pad: PadAttrs;
  Gather: GatherAttrs;
  Tile: TileAttrs;
  ReduceSum: ReduceSumAttrs;
  CumSum: CumSumAttrs;
  OneHot: OneHotAttrs;
  Fill: FillAttrs;
  PrgUniform: PrgUniformAttrs;
  PermuteLastAxis: NoAttrs;
  AddN: NoAttrs;
  TruncDealLow: TruncDealLowAttrs;
  TruncDealMsb: NoAttrs;
  TruncFinish: TruncFinishAttrs;
  TruncMask: TruncMaskAttrs;
  TruncDealStacked: TruncDealLowAttrs;
  TruncFinishStacked: TruncFinishAttrs;
  PrivateCompareMask: PrivateCompareMaskAttrs;
  PrivateCompareZeroTest: NoAttrs;
  BitDecomposeSub: NoAttrs;
  AddModOdd: NoAttrs;
  BitUnzipPack: Partial<BitUnzipPackAttrs>;
  PondLeaves: PondLeavesAttrs;
  PondPrefixMask: PondPrefixAttrs;
  PondPrefixCombine: PondPrefixCombineAttrs;
  PondPrefixDeal: PondPrefixAttrs;
  PrefixTerms: PrefixLevelAttrs;
  PrefixNextG: PrefixLevelAttrs;
  PrefixNextP: PrefixLevelAttrs;
  BitUnpackTree: BitUnpackTreeAttrs;
  SignBitsTree: SignBitsTreeAttrs;
  LanePack: LanePackAttrs;
  SignLeafTerms: SignLeafTermsAttrs;
  DcfGen: DcfAttrs;
  DcfEval: DcfEvalAttrs;
}

/**
 * The name of a kernel of the contract.
 * @example
 * ```ts
 * const k: KernelName = 'MatMul';
 * ```
 */
export type KernelName = keyof KernelAttrMap;

/**
 * The attribute argument(s) of kernel `K`: optional when every attribute is.
 * @example
 * ```ts
 * function op<K extends KernelName>(k: K, ...attrs: KernelAttrsArg<K>) {}
 * ```
 */
export type KernelAttrsArg<K extends KernelName> =
  NoAttrs extends KernelAttrMap[K] ? [attrs?: KernelAttrMap[K]] : Partial<KernelAttrMap[K]> extends KernelAttrMap[K] ? [attrs?: KernelAttrMap[K]] : [attrs: KernelAttrMap[K]];
