/** ZeroMQ CURVE: encrypted, mutually authenticated runs; unknown driver keys are refused. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import * as zmq from 'zeromq';
import { CommunicationError, ValueError } from '../../src/errors.js';
import { U64 } from '../../src/kernels/index.js';
import { RemoteConfig } from '../../src/runtime/config/config.js';
import { z85Encode } from '../../src/runtime/transport/zmq/curve.js';
import { startCurveCluster } from '../helpers/curve_cluster.js';

test('z85 matches the ZeroMQ reference vector', () => {
  assert.is(z85Encode(new Uint8Array([0x86, 0x4f, 0xd2, 0x6f, 0xb5, 0x59, 0xf7, 0x5b])), 'HelloWorld');
});

test('a CURVE config needs keys everywhere and a secret key', () => {
  const k = zmq.curveKeyPair();
  const err = (fn: () => unknown) => { try { fn(); } catch (e) { assert.instance(e, ValueError); return (e as Error).message; } return ''; };
  assert.match(err(() => new RemoteConfig({ master: { address: '127.0.0.1:1', curvePublicKey: k.publicKey }, a: { address: '127.0.0.1:2', curvePublicKey: k.publicKey }, b: '127.0.0.1:3' }, { curveSecretKey: k.secretKey })), /`b` has no `curvePublicKey`/);
  assert.match(err(() => new RemoteConfig({ a: { address: '127.0.0.1:2', curvePublicKey: k.publicKey } }, { curveSecretKey: k.secretKey })), /`master` entry/);
  assert.match(err(() => new RemoteConfig({ master: { address: '127.0.0.1:1', curvePublicKey: k.publicKey }, a: { address: '127.0.0.1:2', curvePublicKey: k.publicKey } }, { curveSecretKey: 'short' })), /secret key/);
});

test('players and driver with CURVE keys compute; a driver with another key is refused', async () => {
  const names = ['server0', 'server1', 'server2'];
  const { cluster } = await startCurveCluster(names, {
    timeoutMs: 3000,
    heartbeatMs: 500,
  });
  try {
    assert.match(cluster.logs.get('server0')!, /\(CURVE\)/);
    const rt = cluster.config.runtime();
    const xs = names.map((p, k) => rt.fill(p, [4], BigInt(k + 1), U64));
    const s = rt.op('server0', 'Add', [rt.op('server0', 'Add', [xs[0], rt.send(xs[1], 'server0')]), rt.send(xs[2], 'server0')]);
    assert.equal([...(await rt.reveal(s)).values()], [6n, 6n, 6n, 6n]);
    const [a, b] = rt.sampleShared(['server1', 'server2'], [8], U64);
    assert.equal([...(await rt.reveal(a)).values()], [...(await rt.reveal(b)).values()]);
    // A driver whose key pair is not in the players' config cannot drive them, nor can one
    // that claims the driver's public key without its secret.
    const own = zmq.curveKeyPair();
    const hostmap = JSON.parse(readFileSync(cluster.configPath, 'utf8'));
    for (const [map, secret] of [[{ ...hostmap, master: { ...hostmap.master, curvePublicKey: own.publicKey } }, own.secretKey], [hostmap, own.secretKey]]) {
      const intruder = new RemoteConfig(map, { curveSecretKey: secret, timeoutMs: 1500, heartbeatMs: 250 });
      const irt = intruder.runtime();
      const e = await irt.reveal(irt.fill('server0', [1], 1n, U64)).then(() => undefined, (x) => x);
      assert.instance(e, CommunicationError);
      await intruder.close();
    }
    await new Promise((r) => setTimeout(r, 200));
    assert.match(cluster.logs.get('server0')!, /rejected a connection .*CURVE key not in the config/);
    assert.match(cluster.logs.get('server0')!, /rejected a connection .*bad handshake/);
  } finally {
    await cluster.stop();
  }
});

test.run();
