import * as tf from '@tensorflow/tfjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import * as L from '../../src/layers/index.js';
import { DEFAULT_APPROXIMATIONS as APPROX } from '../../src/protocols/approximations/index.js';
import { compareLayer, linTol, PROTOCOLS, ULP } from './harness.js';
import { ABY3 } from '../../src/protocols/aby3/index.js';

const positive = (i: number, shape: number[]) => Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, k) => 0.5 + ((k * 7 + i) % 5) * 0.3);

for (const [pname, make] of Object.entries(PROTOCOLS)) {
  const exact = pname !== 'Pond';
  const t = (title: string, fn: () => Promise<void>) => test(`${title} [${pname}]`, async () => { tfe.setProtocol(make()); await fn(); });

  t('dense linear: forward, input and weight gradients vs tfjs', () => compareLayer({
    make: () => L.dense({ units: 5, inputShape: [6] }), tfLayer: () => tf.layers.dense({ units: 5 }),
    shape: [4, 6], tol: { y: linTol(7, 2), dx: linTol(5, 1), dw: linTol(4, 2) },
  }));

  t('dense on rank-3 input, no bias', () => compareLayer({
    make: () => L.dense({ units: 3, useBias: false, inputShape: [2, 4] }), tfLayer: () => tf.layers.dense({ units: 3, useBias: false }),
    shape: [3, 2, 4], tol: { y: linTol(4, 2), dx: linTol(3, 1), dw: linTol(6, 2) },
  }));

  t('dense sigmoid and tanh', async () => {
    for (const activation of ['sigmoid', 'tanh'] as const) {
      const e = APPROX[activation].documentedMaxError;
      await compareLayer({
        make: () => L.dense({ units: 4, activation, inputShape: [3] }), tfLayer: () => tf.layers.dense({ units: 4, activation }),
        shape: [5, 3], tol: { y: e + linTol(4, 2), dx: 3 * (2 * e) * 4 * 0.5 + linTol(4, 1, 3), dw: 5 * 2 * (2 * e) * 2 + linTol(5, 2, 3) },
      });
    }
  });

  t('dense softmax', () => compareLayer({
    make: () => L.dense({ units: 4, activation: 'softmax', inputShape: [3] }), tfLayer: () => tf.layers.dense({ units: 4, activation: 'softmax' }),
    shape: [3, 3], tol: { y: 0.02, dx: 0.05, dw: 0.1 },
  }));

  t('dense relu (exact with SecureNN; Chebyshev forward under Pond)', () => compareLayer({
    make: () => L.dense({ units: 4, activation: 'relu', inputShape: [3] }), tfLayer: () => tf.layers.dense({ units: 4, activation: 'relu' }),
    shape: [5, 3], backward: exact, tol: { y: exact ? linTol(4, 2) : APPROX.relu.documentedMaxError + linTol(4, 2), dx: linTol(4, 1, 2), dw: linTol(5, 2, 2) },
  }));

  for (const [padding, strides, kernelSize] of [['valid', 1, [3, 2]], ['same', 2, 3], ['same', 1, [2, 3]]] as const) {
    t(`conv2d ${padding} strides ${strides} kernel ${JSON.stringify(kernelSize)}`, () => compareLayer({
      make: () => L.conv2d({ filters: 3, kernelSize: kernelSize as [number, number], strides, padding, inputShape: [6, 5, 2] }),
      tfLayer: () => tf.layers.conv2d({ filters: 3, kernelSize: kernelSize as [number, number], strides, padding }),
      shape: [2, 6, 5, 2], tol: { y: linTol(19, 2), dx: linTol(18, 1, 2), dw: linTol(60, 2) },
    }));
  }

  for (const [padding, poolSize, strides] of [['valid', 2, 2], ['same', 3, 2], ['valid', [2, 3], 1]] as const) {
    t(`averagePooling2d ${padding} pool ${JSON.stringify(poolSize)} strides ${strides}`, () => compareLayer({
      make: () => L.averagePooling2d({ poolSize: poolSize as [number, number], strides, padding, inputShape: [5, 6, 2] }),
      tfLayer: () => tf.layers.averagePooling2d({ poolSize: poolSize as [number, number], strides, padding }),
      shape: [2, 5, 6, 2], tol: { y: linTol(9, 2), dx: linTol(9, 1) }, linearReference: padding === 'same',
    }));
  }

  t('globalAveragePooling2d', () => compareLayer({
    make: () => L.globalAveragePooling2d({ inputShape: [4, 3, 2] }), tfLayer: () => tf.layers.globalAveragePooling2d({}),
    shape: [3, 4, 3, 2], tol: { y: linTol(12, 2), dx: linTol(1, 1) },
  }));

  t('batchNormalization, private parameters (frozen statistics)', () => compareLayer({
    make: () => L.batchNormalization({ inputShape: [3] }), tfLayer: () => tf.layers.batchNormalization({}),
    shape: [4, 3], weight: positive, tol: { y: 2e-3, dx: 2e-3, dw: 4e-3 },
  }));

  t('batchNormalization, public parameters, on NHWC', () => compareLayer({
    make: () => L.batchNormalization({ inputShape: [2, 2, 3], publicParameters: true, epsilon: 0.01 }),
    tfLayer: () => tf.layers.batchNormalization({ epsilon: 0.01 }),
    shape: [2, 2, 2, 3], weight: positive, tol: { y: 2e-3, dx: 2e-3, dw: 8e-3 },
  }));

  for (const activation of ['linear', 'sigmoid', 'tanh', 'softmax', ...(exact ? ['relu'] : [])] as const) {
    t(`activation ${activation}`, () => compareLayer({
      make: () => L.activation({ activation: activation as L.ActivationName, inputShape: [5] }),
      tfLayer: () => tf.layers.activation({ activation: activation as 'relu' }),
      shape: [3, 5], range: [-3, 3],
      tol: activation === 'linear' || activation === 'relu' ? { y: linTol(1, 3) }
        : activation === 'softmax' ? { y: 0.01, dx: 0.02 }
          : { y: APPROX[activation as 'sigmoid'].documentedMaxError + 1e-4, dx: 3 * APPROX[activation as 'sigmoid'].documentedMaxError },
    }));
  }

  if (exact) {
    t('reLU layer', () => compareLayer({ make: () => L.reLU({ inputShape: [4] }), tfLayer: () => tf.layers.reLU({}), shape: [3, 4], tol: { y: linTol(1, 2) } }));
    for (const [padding, poolSize, strides] of [['valid', 2, 2], ['same', 3, 2]] as const) {
      t(`maxPooling2d ${padding} pool ${poolSize} strides ${strides}`, () => compareLayer({
        make: () => L.maxPooling2d({ poolSize, strides, padding, inputShape: [5, 4, 2] }),
        tfLayer: () => tf.layers.maxPooling2d({ poolSize, strides, padding }), shape: [2, 5, 4, 2], tol: { y: linTol(1, 2), dx: linTol(4, 1) },
      }));
    }
  } else {
    t('maxPooling2d and relu backward fail under Pond, naming the layer and the protocols', async () => {
      const pool = L.maxPooling2d({ poolSize: 2, inputShape: [4, 4, 1], name: 'pool_a' });
      const x = await tfe.definePrivateInput('input-provider', () => new Float64Array(16), { shape: [1, 4, 4, 1] });
      assert.throws(() => pool.call(x), (e: Error) => e instanceof tfe.NotImplementedError && /pool_a/.test(e.message) && /SecureNN/.test(e.message));
      const r = L.reLU({ inputShape: [3], name: 'relu_a' });
      const xr = await tfe.definePrivateInput('input-provider', () => [1, -1, 2], { shape: [1, 3] });
      r.call(xr, { training: true });
      assert.throws(() => r.backward(xr), (e: Error) => e instanceof tfe.NotImplementedError && /relu_a/.test(e.message) && /SecureNN/.test(e.message));
    });
  }

  t('flatten and reshape', async () => {
    await compareLayer({ make: () => L.flatten({ inputShape: [2, 3, 2] }), tfLayer: () => tf.layers.flatten({}), shape: [2, 2, 3, 2], tol: { y: ULP } });
    await compareLayer({ make: () => L.reshape({ targetShape: [3, -1], inputShape: [6] }), tfLayer: () => tf.layers.reshape({ targetShape: [3, 2] }), shape: [2, 6], tol: { y: ULP } });
  });

  t('dropout: identity at inference, scaled public mask in training', async () => {
    await compareLayer({ make: () => L.dropout({ rate: 0.5, inputShape: [4] }), tfLayer: () => tf.layers.dropout({ rate: 0.5 }), shape: [3, 4], backward: false, tol: { y: ULP } });
    const d = L.dropout({ rate: 0.5, inputShape: [200] });
    const x = await tfe.definePrivateInput('input-provider', () => new Float64Array(200).fill(1), { shape: [1, 200] });
    const y = await d.call(x, { training: true }).reveal();
    const kept = y.filter((v) => v !== 0);
    assert.ok(kept.every((v) => Math.abs(v - 2) < 1e-4), 'kept units are scaled by 1/(1 − rate)');
    assert.ok(kept.length > 60 && kept.length < 140, `about half kept, got ${kept.length}`);
    const dx = await d.backward(x).dx!.reveal();
    assert.equal(Array.from(dx), Array.from(y), 'backward applies the same mask');
  });

  t('inputLayer', () => compareLayer({ make: () => L.inputLayer({ inputShape: [3] }), tfLayer: () => tf.layers.activation({ activation: 'linear' }), shape: [2, 3], tol: { y: ULP } }));
}

test('getConfig/fromConfig round trip of every layer', () => {
  const layers = [
    L.dense({ units: 3, activation: 'tanh', inputShape: [4], useBias: false }), L.conv2d({ filters: 2, kernelSize: [3, 2], strides: 2, padding: 'same' }),
    L.averagePooling2d({ poolSize: 3 }), L.maxPooling2d({ poolSize: [2, 2], padding: 'same' }), L.globalAveragePooling2d({}),
    L.batchNormalization({ epsilon: 0.01, publicParameters: true }), L.activation({ activation: 'softmax' }), L.reLU(), L.flatten(),
    L.reshape({ targetShape: [2, -1] }), L.dropout({ rate: 0.3 }), L.inputLayer({ inputShape: [7] }),
  ];
  for (const l of layers) {
    const again = L.deserializeLayer(l.serialize());
    assert.is(again.getClassName(), l.getClassName());
    const a = { ...l.getConfig() }, b = { ...again.getConfig() };
    assert.equal(b, a, `${l.getClassName()} config`);
  }
});

test('unsupported and unknown arguments are named', () => {
  assert.throws(() => L.dense({ units: 2, kernelRegularizer: 'l2' } as L.DenseArgs), (e: Error) => e instanceof tfe.NotImplementedError && /kernelRegularizer/.test(e.message));
  assert.throws(() => L.conv2d({ filters: 2, kernelSize: 3, dilationRate: 2 }), (e: Error) => e instanceof tfe.NotImplementedError && /dilationRate/.test(e.message));
  assert.throws(() => L.conv2d({ filters: 2, kernelSize: 3, dataFormat: 'channelsFirst' as 'channelsLast' }), /dataFormat/);
  assert.throws(() => L.reLU({ maxValue: 6 }), /maxValue/);
  assert.throws(() => L.dense({ units: 2, foo: 1 } as unknown as L.DenseArgs), (e: Error) => e instanceof tfe.ValueError && /foo/.test(e.message));
  assert.throws(() => L.dense({ units: -3 }), /units/);
  assert.throws(() => L.activation({ activation: 'elu' as 'relu' }), /activation/);
});


test('backward with a gradientScale: Dense and Conv2D fold c into their weight-gradient truncation (scaled: true), c·(the unscaled gradient) within 2^-12 relative plus an ulp; dx unchanged; BatchNormalization, and a Dense over more than MAX_FOLDED_TERMS rows, leave it to training', async () => {
  const rand = (seed: number, n: number) => Float64Array.from({ length: n }, (_, i) => Math.sin(seed * 31 + i * 7.3) * 1.5);
  for (const [name, make] of [...Object.entries(PROTOCOLS), ['ABY3', () => new ABY3()] as const]) {
    tfe.setProtocol(make());
    const cases: { layer: L.Layer; x: number[]; dy: number[]; folds: boolean }[] = [
      { layer: L.dense({ units: 3, inputShape: [4] }), x: [5, 4], dy: [5, 3], folds: true },
      { layer: L.conv2d({ filters: 2, kernelSize: 2, inputShape: [4, 4, 1] }), x: [2, 4, 4, 1], dy: [2, 3, 3, 2], folds: true },
      { layer: L.batchNormalization({ inputShape: [3] }), x: [6, 3], dy: [6, 3], folds: false },
      // more rows than MAX_FOLDED_TERMS: the sum may outgrow the folded range, so it is not folded
      { layer: L.dense({ units: 1, inputShape: [2] }), x: [4097, 2], dy: [4097, 1], folds: false },
    ];
    for (const [k, { layer, x: xs, dy: dys, folds }] of cases.entries()) {
      const x = await tfe.definePrivateInput('input-provider', () => rand(k, xs.reduce((a, b) => a * b, 1)), { shape: xs });
      const dy = await tfe.definePrivateInput('input-provider', () => rand(k + 10, dys.reduce((a, b) => a * b, 1)), { shape: dys });
      layer.build(xs);
      layer.call(x, { training: true });
      const plain = layer.backward(dy);
      for (const c of [0.01 / 128, 1 / 6]) {
        const scaled = layer.backward(dy, { gradientScale: c });
        assert.is(!!scaled.scaled, folds, `${name} ${layer.getClassName()}: scaled flag`);
        const dxs = [await plain.dx!.reveal(), await scaled.dx!.reveal()];
        // each run rounds independently: a conv's dx sums kh·kw = 4 truncated products, ±1 ulp each
        dxs[0].forEach((v, i) => assert.ok(Math.abs(v - dxs[1][i]) <= 8 * ULP, `${name} ${layer.getClassName()}: dx[${i}] ${v} vs ${dxs[1][i]}`));
        for (const [g, gradient] of scaled.grads.entries()) {
          const want = Array.from(await plain.grads[g].reveal(), (v) => (folds ? c * v : v));
          const got = await gradient.reveal();
          want.forEach((w, i) => assert.ok(Math.abs(got[i] - w) <= Math.abs(w) * 2 ** -12 + 2 * ULP, `${name} ${layer.getClassName()} c=${c}: gradient ${g}[${i}] ${got[i]} vs ${w}`));
        }
      }
    }
  }
});

test.run();
