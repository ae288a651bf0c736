/**
 * Issue 16, finding 2, over real `tfe player` processes with CURVE on 127.0.0.1: a key in
 * the config is bound to one role. server2's key cannot drive server0 (nor join a live
 * session to reveal its share), a player's key cannot send peer frames as another player,
 * also inside a bundle of peer messages, and a second driver connection cannot take over a
 * session; the honest run next to the attacks keeps computing.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as zmq from 'zeromq';
import { U64 } from '../../src/kernels/index.js';
import { decodeHeader, decodeJson, encodeHeader, encodeJson, MsgType, tensorMessage } from '../../src/runtime/wire/codec.js';
import { roleRoutingId } from '../../src/runtime/transport/zmq/roles.js';
import type { CurveKeys } from '../../src/runtime/transport/zmq/curve.js';
import { startCurveCluster } from '../helpers/curve_cluster.js';
import { hostTensor } from '../../src/runtime/wire/tensor_bytes.js';
import { bundle } from '../../src/runtime/wire/bundle.js';

const names = ['server0', 'server1', 'server2'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A raw CURVE client of `address` holding `pair`, claiming `role` (tag made with its own key). */
function client(pair: { publicKey: string; secretKey: string }, serverKey: string, address: string, role: string): zmq.Dealer {
  const keys = { publicKey: pair.publicKey, secretKey: pair.secretKey } as CurveKeys;
  const d = new zmq.Dealer({
    linger: 0, receiveTimeout: 4000, curveServerKey: serverKey, curvePublicKey: pair.publicKey, curveSecretKey: pair.secretKey,
    routingId: roleRoutingId(keys, role, serverKey),
  });
  d.connect(`tcp://${address}`);
  return d;
}

/** The first reply to a batch: `{type, body}`; body is the JSON reply or the tensor's values. */
async function replyOf(d: zmq.Dealer): Promise<{ type: MsgType; text: string }> {
  const frames = await d.receive();
  const h = decodeHeader(frames[0]);
  return { type: h.type, text: h.type === MsgType.Reply ? JSON.stringify(decodeJson(frames.slice(1)), (_k, v) => (typeof v === 'bigint' ? String(v) : v)) : MsgType[h.type] };
}

test('CURVE roles: other keys cannot drive, join sessions, or speak as another player', async () => {
  const { cluster, keys } = await startCurveCluster(names, {
    timeoutMs: 4000,
    heartbeatMs: 500,
  });
  const socks: zmq.Dealer[] = [];
  try {
    const rt = cluster.config.runtime();
    const secret = rt.fill('server0', [4], 42n, U64);
    await rt.flush();
    const addr0 = cluster.hostmap.server0;
    const pub0 = keys.server0.publicKey;
    const steal = [encodeHeader(MsgType.Batch, rt.session, 0), ...encodeJson([{ op: 'reveal', src: secret.id, req: 99 }])];

    // 1. server2's key claiming the driver role: its tag does not verify against the driver key.
    const asDriver = client(keys.server2, pub0, addr0, 'D');
    socks.push(asDriver);
    await asDriver.send(steal);
    let r = await replyOf(asDriver);
    assert.is(r.type, MsgType.Reply);
    assert.match(r.text, /only from a connection holding the driver's CURVE key/);
    assert.not.match(r.text, /42/);

    // 2. server2's key, honestly as itself, sending a driver batch: refused too.
    const asItself = client(keys.server2, pub0, addr0, 'P:server2');
    socks.push(asItself);
    await asItself.send(steal);
    r = await replyOf(asItself);
    assert.match(r.text, /only from a connection holding the driver's CURVE key/);

    // 3. A second connection with the real driver key cannot join the live session.
    const otherDriver = client(keys.master, pub0, addr0, 'D');
    socks.push(otherDriver);
    await otherDriver.send(steal);
    r = await replyOf(otherDriver);
    assert.match(r.text, /belongs to another driver connection/);
    // ... while it may open its own session (the key is the driver's).
    await otherDriver.send([encodeHeader(MsgType.Batch, 'fedcba9876543210', 0), ...encodeJson([{ op: 'sync', req: 1 }])]);
    r = await replyOf(otherDriver);
    assert.not.match(r.text, /error/i);

    // 4. Peer frames naming server1, from server2's key (as server1 with a forged tag, or as itself).
    const t = hostTensor(new BigUint64Array([7n]), [1], U64);
    for (const role of ['P:server1', 'P:server2']) {
      const spoof = client(keys.server2, pub0, addr0, role);
      socks.push(spoof);
      await spoof.send(tensorMessage(MsgType.PeerTensor, rt.session, 123, 'server1', t));
    }
    // 5. The same inside bundles: one in server2's own name carrying frames that name server1,
    //    and one whose bundle header names server1.
    const twoAsServer1 = [tensorMessage(MsgType.PeerTensor, rt.session, 124, 'server1', t), tensorMessage(MsgType.PeerTensor, rt.session, 125, 'server1', t)];
    for (const sender of ['server2', 'server1']) {
      const spoof = client(keys.server2, pub0, addr0, 'P:server2');
      socks.push(spoof);
      await spoof.send(bundle(sender, twoAsServer1));
    }
    await sleep(500);
    const log = cluster.logs.get('server0')!;
    assert.is(log.match(/frames naming player `server1` are accepted only from that player's CURVE key/g)?.length, 3);
    assert.is(log.match(/a bundle from `server2` carries a message naming `server1`/g)?.length, 2);

    // The honest run next to the attacks: still computing, with its secret intact.
    const xs = names.map((p, k) => rt.fill(p, [2], BigInt(k + 1), U64));
    const s = rt.op('server0', 'Add', [rt.op('server0', 'Add', [xs[0], rt.send(xs[1], 'server0')]), rt.send(xs[2], 'server0')]);
    assert.equal([...(await rt.reveal(s)).values()], [6n, 6n]);
    assert.equal([...(await rt.reveal(secret)).values()], [42n, 42n, 42n, 42n]);
  } finally {
    for (const s of socks) s.close();
    await cluster.stop();
  }
});

test.run();
