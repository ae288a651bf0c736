/**
 * `npm run bench -- onnx [--json]` (issue 20): the CNN fixture with BatchNormalization kept as
 * its own node (test/models/fixtures/onnx/cnn_bn.onnx, exported by torch.onnx.export) under
 * SecureNN on LocalConfig:
 *  - `onnx_load_ms`: read, parse, check and convert the file, build the model and have the
 *    owner secret-share its weights (until the shares are on the servers);
 *  - `onnx_predict_128_ms`: private prediction of 128 inputs (NCHW [128, 1, 8, 8]), without
 *    revealing them;
 *  - `onnxruntime_predict_128_ms`: onnxruntime-node's plaintext run of the same file and batch,
 *    with the ratio private / plaintext.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadOnnx } from '../src/models/index.js';
import { getProtocol, setProtocol } from '../src/protocols/protocol.js';
import { SecureNN } from '../src/protocols/securenn/index.js';
import { LocalConfig, getConfig, getRuntime, setConfig } from '../src/runtime/index.js';
import { randomValues, timeMedian, type BenchResult } from './util.js';

const FILE = fileURLToPath(new URL('../test/models/fixtures/onnx/cnn_bn.onnx', import.meta.url));
const BATCH = 128;
const SHAPE = [BATCH, 1, 8, 8];

/** The suite. */
export async function run(): Promise<BenchResult[]> {
  setConfig(new LocalConfig([], { log: () => undefined }));
  setProtocol(new SecureNN());
  const rt = getRuntime();
  const load = async () => { const m = await loadOnnx(FILE, { owner: 'model-owner' }); await rt.flush(); return m; };
  const loadMs = await timeMedian(load, { warmup: 1, minRuns: 3, minMs: 1000 });
  const model = await load();
  const values = randomValues(BATCH * 64, 20);
  const x = getProtocol().definePrivateVariable(values, { shape: SHAPE });
  const predict = async () => { await model.predict(x, { batchSize: BATCH }); await rt.flush(); };
  const privateMs = await timeMedian(predict, { warmup: 3, minRuns: 5, minMs: 2000 });
  await getConfig().close();

  const ort = createRequire(import.meta.url)('onnxruntime-node');
  const sess = await ort.InferenceSession.create(new Uint8Array(readFileSync(FILE)));
  const feed = { x: new ort.Tensor('float32', Float32Array.from(values), SHAPE) };
  const plainMs = await timeMedian(() => sess.run(feed), { warmup: 3, minRuns: 20, minMs: 500 });
  return [
    { name: 'onnx_load_ms', value: loadMs, unit: 'ms', model: 'cnn_bn.onnx', protocol: 'SecureNN', config: 'LocalConfig' },
    { name: 'onnx_predict_128_ms', value: privateMs, unit: 'ms', batch: BATCH, protocol: 'SecureNN', config: 'LocalConfig' },
    { name: 'onnxruntime_predict_128_ms', value: plainMs, unit: 'ms', batch: BATCH, private_over_plaintext: privateMs / plainMs },
  ];
}
