/**
 * A prediction client: connects to the service, secret-shares ten MNIST test images locally
 * (one request each, sent together), and prints each reconstructed prediction next to its
 * label. Neither server sees an image or a prediction.
 *
 *   npx tsx examples/private-serving/client.ts [--address tcp://127.0.0.1:5990] [--count 10] [--curve-key KEY]
 *
 * `--curve-key`: the service's CURVE public key (the config's `master` key) when it runs with CURVE.
 */
import * as tfe from '../../src/index.js';
import { loadMnist } from '../private-training/mnist.js';

const argmax = (r: ArrayLike<number>) => { let b = 0; for (let j = 1; j < r.length; j++) if (r[j] > r[b]) b = j; return b; };

/** Classifies the first `count` test images through the service at `address`; returns the number correct. */
export async function classify(address: string, count: number, curveServerKey?: string): Promise<number> {
  const client = await tfe.serving.Client.connect(address, { timeoutMs: 30_000, curveServerKey });
  try {
    const test = loadMnist('test', count);
    const images = Array.from({ length: count }, (_, i) => test.images.subarray(i * 784, (i + 1) * 784));
    const outs = await client.predictBatch(images);
    let correct = 0;
    outs.forEach((o, i) => {
      const pred = argmax(o.dataSync());
      if (pred === test.labels[i]) correct++;
      console.log(`image ${i}: predicted ${pred}, label ${test.labels[i]}${pred === test.labels[i] ? '' : '  (wrong)'}`);
    });
    const s = await client.status();
    console.log(`${correct}/${count} correct; service: ${s.served} requests served in ${s.batches} batches, p50 ${s.latencyMs.p50} ms`);
    return correct;
  } finally {
    client.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const i = process.argv.indexOf('--address'), j = process.argv.indexOf('--count'), k = process.argv.indexOf('--curve-key');
  await classify(i > 0 ? process.argv[i + 1] : 'tcp://127.0.0.1:5990', j > 0 ? Number(process.argv[j + 1]) : 10, k > 0 ? process.argv[k + 1] : undefined);
  process.exit(0);
}
