/**
 * Private prediction with a model exported from PyTorch (issue 20): `mnist_cnn.onnx` (made by
 * `make_model.py` with `torch.onnx.export`: Conv, BatchNormalization, Relu, AveragePool, Flatten,
 * Gemm; NCHW) is imported with `tfe.models.loadOnnx`, its weights secret-shared by the model
 * owner's player; a prediction client secret-shares its images; the servers (SecureNN) compute
 * the logits on shares, and only the client reconstructs them. onnxruntime runs the same file
 * in plaintext for comparison.
 *
 *   npx tsx examples/onnx-prediction/run.ts [--test 500]
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as tfe from '../../src/index.js';
import { SecureNN } from '../../src/protocols/securenn/index.js';
import { loadMnist } from '../private-training/mnist.js';

const i = process.argv.indexOf('--test');
const nTest = i > 0 ? Number(process.argv[i + 1]) : 500;
const file = fileURLToPath(new URL('./mnist_cnn.onnx', import.meta.url));

// 1. The model owner's player reads the ONNX file and secret-shares its weights; the driver
//    learns only the graph (operators, attributes, shapes).
tfe.setProtocol(new SecureNN());
const model = await tfe.models.loadOnnx(file, { owner: 'model-owner' });
model.summary();

// 2. The prediction client secret-shares its images, NCHW as the PyTorch model expects.
const testSet = loadMnist('test', nTest);
const images = await tfe.definePrivateInput('prediction-client', () => testSet.images, { shape: [nTest, 1, 28, 28] });
const t0 = Date.now();
const logits = await model.predict(images, { batchSize: 100 });

// 3. Only the client learns the predictions; onnxruntime gives the plaintext ones.
const ort = createRequire(import.meta.url)('onnxruntime-node');
const session = await ort.InferenceSession.create(file);
const plain = (await session.run({ x: new ort.Tensor('float32', Float32Array.from(testSet.images), [nTest, 1, 28, 28]) })).y.data as Float32Array;
const argmax = (r: ArrayLike<number>): number => { let b = 0; for (let j = 1; j < r.length; j++) if (r[j] > r[b]) b = j; return b; };
await tfe.defineOutput('prediction-client', logits, (values) => {
  const ms = Date.now() - t0;
  let priv = 0, pl = 0, agree = 0, worst = 0;
  for (let n = 0; n < nTest; n++) {
    const a = argmax(values.subarray(n * 10, n * 10 + 10)), b = argmax(plain.subarray(n * 10, n * 10 + 10));
    if (a === testSet.labels[n]) priv++;
    if (b === testSet.labels[n]) pl++;
    if (a === b) agree++;
    for (let k = 0; k < 10; k++) worst = Math.max(worst, Math.abs(values[n * 10 + k] - plain[n * 10 + k]));
  }
  console.log(`private predictions of ${nTest} images in ${(ms / 1000).toFixed(1)} s (${(ms / nTest).toFixed(1)} ms per image)`);
  console.log(`onnxruntime accuracy: ${(100 * pl / nTest).toFixed(1)}%`);
  console.log(`private accuracy:     ${(100 * priv / nTest).toFixed(1)}%`);
  console.log(`argmax agreement:     ${(100 * agree / nTest).toFixed(1)}%, largest logit difference ${worst.toExponential(2)}`);
});
await tfe.getConfig().close();
