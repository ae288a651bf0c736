import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import * as tf from '@tensorflow/tfjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import { fromOnnx, loadOnnx } from '../../src/models/index.js';
import { SecureNN } from '../../src/protocols/securenn/index.js';
import { getRuntime } from '../../src/runtime/index.js';
import { getLoader, type DataContext } from '../../src/runtime/player/data_sources.js';
import '../../src/models/onnx/loader.js';
import { FIXTURES, fixture, INPUT } from './onnx_helpers.js';

const { onnx } = onnxProto as unknown as { onnx: typeof import('onnx-proto').onnx };

/** No player has sent or received anything since the last reset. */
async function nothingSent(): Promise<void> {
  const c = await getRuntime().counters();
  for (const [player, k] of Object.entries(c)) assert.is(k.bytesSent + k.bytesReceived, 0, `${player} exchanged ${k.bytesSent + k.bytesReceived} bytes`);
}

/** Runs `f`, expects an error of class `cls` matching `re`, and checks that no share moved. */
async function refused(f: () => Promise<unknown>, cls: new (...a: never[]) => Error, re: RegExp): Promise<void> {
  await getRuntime().resetCounters();
  await f().then(() => assert.unreachable('should fail'), (e: Error) => {
    assert.ok(e instanceof cls, `${e.constructor.name}: ${e.message}`);
    assert.match(e.message, re);
    assert.not.match(e.message, new RegExp(FIXTURES.replace(/[/.]/g, '\\$&')));
  });
  await nothingSent();
}

/** The MLP fixture with one node's operator replaced. */
function withOp(name: string, opType: string): Uint8Array {
  const m = onnx.ModelProto.decode(fixture(name));
  m.graph!.node![1].opType = opType;
  return onnx.ModelProto.encode(m).finish();
}

test('malformed and truncated files give ValueError naming the problem, before any share is sent', async () => {
  tfe.setProtocol(new SecureNN());
  await refused(() => fromOnnx(Uint8Array.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3])), tfe.ValueError, /malformed|truncated/);
  const bytes = fixture('cnn_bn');
  await refused(() => fromOnnx(bytes.subarray(0, Math.floor(bytes.length * 0.6))), tfe.ValueError, /ONNX/);
  await refused(() => loadOnnx(join(FIXTURES, 'absent.onnx')), tfe.ValueError, /`absent\.onnx`: ENOENT/);
});

test('an unsupported operator or attribute gives NotImplementedError naming node, operator and attribute', async () => {
  tfe.setProtocol(new SecureNN());
  await refused(() => fromOnnx(withOp('mlp', 'Erf')), tfe.NotImplementedError, /`\/Relu` .*Erf|node `.*`: operator Erf/);
  const m = onnx.ModelProto.decode(fixture('cnn_bn'));
  const conv = m.graph!.node!.find((n) => n.opType === 'Conv')!;
  conv.attribute!.find((a) => a.name === 'group')!.i = 2;
  await refused(() => fromOnnx(onnx.ModelProto.encode(m).finish()), tfe.NotImplementedError, /`\/conv\/Conv` \(Conv\): attribute `group`/);
  const t = onnx.ModelProto.decode(fixture('ops'));
  t.graph!.node!.find((n) => n.opType === 'Transpose')!.attribute![0].ints = [1, 0, 2, 3];
  await refused(() => fromOnnx(onnx.ModelProto.encode(t).finish()), tfe.NotImplementedError, /`\/Transpose` \(Transpose\): attribute `perm`: axis 0 is the batch/);
});

test('a wrong input shape gives ValueError with both shapes, before the input is shared', async () => {
  tfe.setProtocol(new SecureNN());
  const model = await fromOnnx(fixture('cnn_folded'), { owner: 'model-owner' });
  const wrong = tf.zeros([3, 8, 8, 1]); // NHWC instead of the model's NCHW
  await refused(() => model.predict(wrong), tfe.ValueError, /expects input of shape \[null,1,8,8\], got x of shape \[3,8,8,1\]/);
  await refused(() => model.evaluate(tf.zeros(INPUT.mlp(3)), tf.zeros([3, 5])), tfe.ValueError, /\[null,1,8,8\]/);
});

test("the owner's ONNX loaders pass the data directory's refusal through as it is (a path outside it, a symlink out)", async () => {
  const refusal = new tfe.ValueError('path `model.onnx` is outside the data directory of player `owner`');
  const ctx = { player: 'owner', resolvePath: () => { throw refusal; } } as unknown as DataContext;
  for (const loader of ['onnx-graph', 'onnx-weight']) {
    const e = await Promise.resolve().then(() => getLoader(loader)({ path: 'model.onnx', name: 'w', fracBits: 16 }, ctx)).then(() => undefined, (x: Error) => x);
    assert.is(e, refusal, loader);
  }
});

test.run();
