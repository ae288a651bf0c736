import * as tf from '@tensorflow/tfjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import { CommunicationError } from '../../src/errors.js';
import { fromLayersModel } from '../../src/models/index.js';
import { freePort } from '../../src/runtime/index.js';
import { withConfig } from '../helpers/configs.js';

// Pond (the default protocol) on three `tfe player` processes over ZeroMQ; a linear model, so
// the only error is fixed-point rounding (f = 16): well under 1e-3 for 4 inputs.
test('served over tfe player processes; a server killed mid-request gives a CommunicationError within the timeout, not a hang', async () => {
  await withConfig('zmq', async ({ cluster }) => {
    tfe.setProtocol(new tfe.Pond());
    const plain = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [4] })] });
    plain.setWeights([tf.tensor2d([[0.5, -1], [0.25, 2], [-0.75, 0.1], [1, 0]]), tf.tensor1d([0.1, -0.2])]);
    const model = await fromLayersModel(plain, { owner: 'server0' });
    const [a, b, c] = [await freePort(), await freePort(), await freePort()];
    const opts = { address: `tcp://127.0.0.1:${a}`, servers: { server0: `tcp://127.0.0.1:${b}`, server1: `tcp://127.0.0.1:${c}` }, timeoutMs: 3000 };
    const service = await tfe.serving.serve(model, opts);
    const client = await tfe.serving.Client.connect(opts.address, { timeoutMs: 4000 });
    try {
      const x = [[1, -2, 3, 0.5], [0, 0, 0, 0]];
      const want = (plain.predict(tf.tensor2d(x)) as tf.Tensor).dataSync();
      const got = (await client.predict(x)).dataSync();
      for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i] - want[i]) < 1e-3, `${got[i]} vs ${want[i]}`);
      // killed while a request is being served (announced, shares sent, batch running)
      const t0 = Date.now();
      const inFlight = client.predict(x).catch((err) => err);
      await new Promise((r) => setTimeout(r, 2));
      await cluster!.kill('server1');
      for (const e of [await inFlight, await client.predict(x).catch((err) => err)]) {
        assert.instance(e, CommunicationError, String(e?.stack ?? e));
        assert.match(e.message, /server1|within|could not run the model/);
      }
      // both answered within the client's timeout (4 s each) plus slack: no hang
      assert.ok(Date.now() - t0 < 2 * 4000 + 2000, `took ${Date.now() - t0} ms`);
    } finally {
      client.close();
      await service.close();
    }
  }, { timeoutMs: 2000 });
});

test.run();
