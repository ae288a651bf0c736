import * as tf from '@tensorflow/tfjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import { CommunicationError, ValueError } from '../../src/errors.js';
import { fromLayersModel } from '../../src/models/index.js';
import { freePort, getConfig, ServingDealer, setConfig } from '../../src/runtime/index.js';
import { startCurveCluster } from '../helpers/curve_cluster.js';

// CURVE on the client connections: three `tfe player` processes and the driver run with CURVE
// keys; the service's front and the servers' share addresses then take only encrypted
// connections. A linear model under Pond: the only error is fixed-point rounding (f = 16).
test('with a CURVE config, clients connect with the service key; plaintext clients get nothing', async () => {
  const names = ['server0', 'server1', 'server2'];
  const { cluster, keys } = await startCurveCluster(names, {
    timeoutMs: 5000,
    startTimeoutMs: 120_000,
  });
  const before = getConfig();
  const opened: { close(): void }[] = [];
  try {
    setConfig(cluster.config);
    tfe.setProtocol(new tfe.Pond());
    const plain = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
    plain.setWeights([tf.tensor2d([[0.5, -1], [0.25, 2], [-0.75, 0.1]]), tf.tensor1d([0.1, -0.2])]);
    const model = await fromLayersModel(plain, { owner: 'server0' });
    const [a, b, c] = [await freePort(), await freePort(), await freePort()];
    const opts = { address: `tcp://127.0.0.1:${a}`, servers: { server0: `tcp://127.0.0.1:${b}`, server1: `tcp://127.0.0.1:${c}` }, timeoutMs: 3000 };
    const service = await tfe.serving.serve(model, opts);
    opened.push({ close: () => void service.close() });
    const client = await tfe.serving.Client.connect(opts.address, { timeoutMs: 10_000, curveServerKey: keys.master.publicKey });
    opened.push(client);
    const status = await client.status();
    assert.equal(status.curveServerKeys, { server0: keys.server0.publicKey, server1: keys.server1.publicKey });
    const x = [[1, -2, 3], [0.5, 0, -0.25]];
    const want = (plain.predict(tf.tensor2d(x)) as tf.Tensor).dataSync();
    const got = (await client.predict(x)).dataSync();
    for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i] - want[i]) < 1e-3, `${got[i]} vs ${want[i]}`);
    // without the key: no status, a clear CommunicationError
    const e = await tfe.serving.Client.connect(opts.address, { timeoutMs: 1000 }).catch((x) => x);
    assert.instance(e, CommunicationError);
    assert.match(e.message, /curveServerKey/);
    // a plaintext sender to a server's share address is never answered (no handshake); its send
    // is queued, or fails with a CommunicationError while ZeroMQ reconnects after the refused
    // handshake, but it settles (it once waited forever)
    const replies: unknown[] = [];
    const raw = ServingDealer.connect(opts.servers.server0, (f) => replies.push(f));
    opened.push(raw);
    for (let k = 0; k < 2; k++) {
      const outcome = await raw.send([Buffer.from('garbage')]).then(() => 'queued', (err: unknown) => err);
      if (outcome !== 'queued') assert.instance(outcome, CommunicationError);
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 500));
    assert.is(replies.length, 0);
    // a wrong-length key is refused before any connection
    const bad = await tfe.serving.Client.connect(opts.address, { curveServerKey: 'short' }).catch((x) => x);
    assert.instance(bad, ValueError);
  } finally {
    for (const o of opened.reverse()) o.close();
    await new Promise((r) => setTimeout(r, 100));
    await cluster.config.close().catch(() => undefined);
    await cluster.stop();
    setConfig(before);
  }
});

test.run();
