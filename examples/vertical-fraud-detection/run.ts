/**
 * Vertically split fraud detection (the tfe-js version of TF Encrypted's blog post): Alice, a
 * bank, holds 16 features per individual; Bob, a police office, holds the fraud labels. PSI
 * finds the individuals both know, in an order both agree on; Alice's player loads her columns
 * and Bob's player his labels, each secret-shares them, and the servers train logistic
 * regression with `model.fit`. Only Bob (by default) receives the trained weights.
 *
 *   npx tsx examples/vertical-fraud-detection/run.ts                     # LocalConfig, generated data
 *   npx tsx examples/vertical-fraud-detection/run.ts --config config.json # players started with `tfe player`
 * Options: --data DIR (default fraud-data), --n N, --epochs E, --batch B, --lr R,
 * --format csv|arrow, --reveal-to PLAYER|driver, --skip-psi (reuse the *.ids.json files).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tfe from '../../src/index.js';
import { memoryChannels, psiIntersect, readCsv } from '../../src/data/index.js';
import { FEATURES, generateFraudData, type FraudData } from './generate.js';

export const ALICE = 'server0';
export const BOB = 'server1';

/**
 * PSI between Alice and Bob (ECDH-PSI over X25519). Here both run in this process (the LocalConfig
 * demo: each reads only its own file); each writes the agreed ID order into its own directory.
 * @example
 * ```ts
 * const common = await fraudPsi('fraud-data', 'fraud-data', 'session-1');
 * ```
 */
export async function fraudPsi(aliceDir: string, bobDir: string, salt: string): Promise<number> {
  const [alice, bob] = await Promise.all([
    readCsv(join(aliceDir, 'alice.csv'), { idColumn: 'id', columns: ['x0'] }),
    readCsv(join(bobDir, 'bob.csv'), { idColumn: 'id', columns: ['fraud'] }),
  ]);
  const [ca, cb] = memoryChannels();
  const [ra, rb] = await Promise.all([psiIntersect(alice.ids!, ca, salt), psiIntersect(bob.ids!, cb, salt)]);
  writeFileSync(join(aliceDir, 'alice.ids.json'), JSON.stringify(ra.ids));
  writeFileSync(join(bobDir, 'bob.ids.json'), JSON.stringify(rb.ids));
  return ra.ids.length;
}

/** Options of {@link trainFraud}. */
export interface FraudOptions {
  /** Folder of the data, relative to each owner's data directory (default `fraud-data`). */
  data?: string;
  format?: 'csv' | 'arrow';
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  /** Who receives the weights: a player (default Bob, `server1`) or `driver`. */
  revealTo?: string;
  /** LocalConfig: called on the receiving player with [w0..w15, b]. */
  receive?: (weights: Float64Array) => void;
}

/**
 * Loads both sides on their owners, trains logistic regression on the shares, and delivers the
 * weights [w0..w15, b] to `revealTo` only. Returns them when the driver is the receiver.
 * @example
 * ```ts
 * const w = await trainFraud({ revealTo: 'driver', epochs: 1 });
 * ```
 */
export async function trainFraud(opts: FraudOptions = {}): Promise<Float64Array | undefined> {
  const data = opts.data ?? 'fraud-data';
  const format = opts.format ?? 'csv';
  const aliceSrc = format === 'arrow'
    ? tfe.data.arrow(join(data, 'alice.arrow'), { idColumn: 'id', idsFile: join(data, 'alice.ids.json') })
    : tfe.data.csv(join(data, 'alice.csv'), { idColumn: 'id', idsFile: join(data, 'alice.ids.json') });
  const xAlice = await tfe.definePrivateInput(ALICE, aliceSrc);
  const y = await tfe.definePrivateInput(BOB, tfe.data.csv(join(data, 'bob.csv'), { idColumn: 'id', columns: ['fraud'], idsFile: join(data, 'bob.ids.json') }));
  const model = tfe.sequential({ layers: [tfe.layers.dense({ units: 1, activation: 'sigmoid', inputShape: [FEATURES], kernelInitializer: 'zeros' })] });
  model.compile({ optimizer: tfe.train.sgd(opts.learningRate ?? 0.5), loss: 'binaryCrossentropy' });
  await model.fit(xAlice, y, { epochs: opts.epochs ?? 1, batchSize: opts.batchSize ?? 100, shuffle: false, verbose: 0, revealTo: opts.revealTo ?? BOB });
  const [kernel, bias] = model.getWeights();
  const flat = tfe.concat([tfe.reshape(kernel!, [FEATURES]), tfe.reshape(bias!, [1])], 0);
  const to = opts.revealTo ?? BOB;
  if (to === 'driver') return flat.reveal();
  await tfe.defineOutput(to, flat, opts.receive ? (v) => opts.receive!(Float64Array.from(v)) : undefined);
  return undefined;
}

/**
 * Plaintext float64 logistic regression with the same schedule (zeros init, batches in order,
 * mean gradient of the binary cross-entropy): the baseline.
 * @example
 * ```ts
 * const w = plaintextLR(x, y, 16, { epochs: 1, batchSize: 100, learningRate: 0.5 });
 * ```
 */
export function plaintextLR(x: Float64Array, y: ArrayLike<number>, d: number, o: { epochs: number; batchSize: number; learningRate: number }): Float64Array {
  const n = y.length, w = new Float64Array(d + 1);
  for (let e = 0; e < o.epochs; e++) {
    for (let s = 0; s < n; s += o.batchSize) {
      const m = Math.min(o.batchSize, n - s), g = new Float64Array(d + 1);
      for (let i = s; i < s + m; i++) {
        let z = w[d]!;
        for (let j = 0; j < d; j++) z += x[i * d + j]! * w[j]!;
        const r = 1 / (1 + Math.exp(-z)) - y[i]!;
        for (let j = 0; j < d; j++) g[j]! += r * x[i * d + j]!;
        g[d]! += r;
      }
      for (let j = 0; j <= d; j++) w[j]! -= (o.learningRate * g[j]!) / m;
    }
  }
  return w;
}

/**
 * Accuracy of weights [w, b] on rows `x` with labels `y` (threshold 0.5).
 * @example
 * ```ts
 * accuracy(plaintextLR(x, y, 16, sched), x, y, 16); // 0.8
 * ```
 */
export function accuracy(w: ArrayLike<number>, x: Float64Array, y: ArrayLike<number>, d: number): number {
  let ok = 0;
  for (let i = 0; i < y.length; i++) {
    let z = w[d]!;
    for (let j = 0; j < d; j++) z += x[i * d + j]! * w[j]!;
    if ((z > 0 ? 1 : 0) === y[i]) ok++;
  }
  return ok / y.length;
}

/**
 * The joined plaintext table in the agreed PSI order (for the baseline; it exists only in this
 * demo, where one process generated everything).
 * @example
 * ```ts
 * const { x, y } = joined(generateFraudData({ n: 100 }), ids);
 * ```
 */
export function joined(d: FraudData, order: string[]): { x: Float64Array; y: Float64Array } {
  const row = new Map(d.ids.map((id, i) => [id, i]));
  const x = new Float64Array(order.length * FEATURES), y = new Float64Array(order.length);
  order.forEach((id, k) => { const i = row.get(id)!; x.set(d.x.subarray(i * FEATURES, (i + 1) * FEATURES), k * FEATURES); y[k] = d.y[i]!; });
  return { x, y };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string, def: string) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1]! : def; };
  const dir = opt('data', 'fraud-data'), n = Number(opt('n', '7000'));
  const sched = { epochs: Number(opt('epochs', '1')), batchSize: Number(opt('batch', '100')), learningRate: Number(opt('lr', '0.5')) };
  const revealTo = opt('reveal-to', BOB), config = opt('config', '');
  const data = generateFraudData({ n, dir });
  if (!args.includes('--skip-psi')) console.log(`PSI: ${await fraudPsi(dir, dir, `fraud-${Date.now()}`)} individuals in common`);
  const order = JSON.parse(readFileSync(join(dir, 'alice.ids.json'), 'utf8')) as string[];
  if (config) tfe.setConfig(tfe.RemoteConfig.load(config));
  const t0 = Date.now();
  let got: Float64Array | undefined;
  const w = await trainFraud({ data: dir, format: opt('format', 'csv') as 'csv' | 'arrow', ...sched, revealTo, receive: (v) => { got = v; } });
  const secs = (Date.now() - t0) / 1000;
  const { x, y } = joined(data, order);
  const plain = plaintextLR(x, y, FEATURES, sched);
  const weights = w ?? got;
  console.log(`trained in ${secs.toFixed(1)} s; weights delivered to ${revealTo}`);
  if (weights) console.log(`private model accuracy: ${(100 * accuracy(weights, x, y, FEATURES)).toFixed(2)} %`);
  else console.log(`private model accuracy: known to ${revealTo} only (it printed the weights)`);
  console.log(`plaintext LR accuracy:  ${(100 * accuracy(plain, x, y, FEATURES)).toFixed(2)} %`);
  await tfe.getConfig().close?.();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then(() => process.exit(0), (e) => { console.error(e instanceof Error ? e.message : e); process.exit(1); });
}
