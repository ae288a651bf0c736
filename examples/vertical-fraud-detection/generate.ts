/**
 * Deterministic data for the fraud-detection walkthrough: Alice (a bank) holds 16 features for
 * `n` individuals; Bob (a police office) holds the fraud label for the same individuals, in a
 * different row order, plus `extra` individuals Alice does not have. Labels follow a logistic
 * ground truth with fixed weights; every draw comes from one fixed seed (public demo data).
 *
 *   npx tsx examples/vertical-fraud-detection/generate.ts DIR [n]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Float64, Table, Utf8, tableToIPC, vectorFromArray, type Vector } from 'apache-arrow';

export const FEATURES = 16;
/** The ground-truth weights and bias. */
export const TRUE_W = Array.from({ length: FEATURES }, (_, j) => Math.round(Math.sin(3 * j + 1) * 150) / 100);
export const TRUE_B = -0.5;

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The generated tables (also returned, for tests and the plaintext baseline). */
export interface FraudData { ids: string[]; x: Float64Array; y: Float64Array; bobIds: string[]; bobY: number[] }

/**
 * Generates the data and, with `dir`, writes `alice.csv`, `alice.arrow` and `bob.csv` there.
 * @example
 * ```ts
 * const data = generateFraudData({ n: 7000, dir: 'fraud-data' });
 * ```
 */
export function generateFraudData(opts: { n?: number; extra?: number; seed?: number; dir?: string } = {}): FraudData {
  const n = opts.n ?? 7000, extra = opts.extra ?? Math.max(1, Math.round(n / 20));
  const rand = prng(opts.seed ?? 2019);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const ids = Array.from({ length: n }, (_, i) => `P${String(100000 + i * 7)}`);
  const x = new Float64Array(n * FEATURES);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let z = TRUE_B;
    for (let j = 0; j < FEATURES; j++) { const v = Math.round(gauss() * 1e4) / 1e4; x[i * FEATURES + j] = v; z += v * TRUE_W[j]!; }
    y[i] = rand() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  // Bob: the same people in another order, plus some Alice does not have
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); [order[i], order[j]] = [order[j]!, order[i]!]; }
  const bobIds = order.map((i) => ids[i]!);
  const bobY = order.map((i) => y[i]!);
  for (let k = 0; k < extra; k++) { bobIds.push(`Q${900000 + k}`); bobY.push(rand() < 0.5 ? 1 : 0); }
  if (opts.dir) {
    mkdirSync(opts.dir, { recursive: true });
    const header = ['id', ...Array.from({ length: FEATURES }, (_, j) => `x${j}`)].join(',');
    const lines = ids.map((id, i) => [id, ...x.subarray(i * FEATURES, (i + 1) * FEATURES)].join(','));
    writeFileSync(join(opts.dir, 'alice.csv'), `${header}\n${lines.join('\n')}\n`);
    const cols: Record<string, Vector> = { id: vectorFromArray(ids, new Utf8()) };
    for (let j = 0; j < FEATURES; j++) cols[`x${j}`] = vectorFromArray(Array.from({ length: n }, (_, i) => x[i * FEATURES + j]!), new Float64());
    writeFileSync(join(opts.dir, 'alice.arrow'), tableToIPC(new Table(cols), 'file'));
    writeFileSync(join(opts.dir, 'bob.csv'), `id,fraud\n${bobIds.map((id, i) => `${id},${bobY[i]}`).join('\n')}\n`);
  }
  return { ids, x, y, bobIds, bobY };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2] ?? 'fraud-data';
  const n = Number(process.argv[3] ?? 7000);
  generateFraudData({ n, dir });
  console.log(`wrote alice.csv, alice.arrow and bob.csv (${n} individuals) to ${dir}`);
}
