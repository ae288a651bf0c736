import * as tf from '@tensorflow/tfjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import { fromLayersModel } from '../../src/models/index.js';
import { CommunicationError, ProtocolError, ValueError } from '../../src/errors.js';
import { closeClientEndpoints, freePort, ServingDealer } from '../../src/runtime/index.js';
import { SERVING_MAX_MESSAGE_BYTES } from '../../src/runtime/transport/zmq/serving_sockets.js';
import { SHARE_INBOX_PER_CONNECTION } from '../../src/runtime/player/client_shares.js';
import { withConfig } from '../helpers/configs.js';
import { SecureNN } from '../../src/protocols/securenn/index.js';

// Fixed-point tolerance: f = 16, inputs and weights each rounded to 2^-17, a few hundred
// products per logit and one truncation per layer: 1e-2 is far above the error and far
// below any meaningful logit difference.
const TOL = 1e-2;

function plainModel(): tf.Sequential {
  const m = tf.sequential({ layers: [tf.layers.dense({ units: 8, activation: 'relu', inputShape: [6] }), tf.layers.dense({ units: 3 })] });
  let s = 7;
  const next = () => { s = (s * 1103515245 + 12345) % 2 ** 31; return s / 2 ** 31 - 0.5; };
  m.setWeights(m.getWeights().map((w) => tf.tensor(Array.from({ length: w.size }, () => next()), w.shape)));
  return m;
}

const rowsOf = (seed: number, n: number) => Array.from({ length: n }, (_, i) => Array.from({ length: 6 }, (_, j) => Math.sin(seed * 13 + i * 7 + j) * 2));
const rejects = async (f: () => Promise<unknown>, re: RegExp) => { const e = await f().then(() => null, (x) => x); assert.ok(e instanceof Error, 'expected a rejection'); assert.match(e.message, re); };
// every raw socket a test opens is closed at its end, or the process would not exit
const opened: ServingDealer[] = [];
const open = (a: string, f: Parameters<typeof ServingDealer.connect>[1]) => { const d = ServingDealer.connect(a, f); opened.push(d); return d; };
const closeOpened = () => { for (const d of opened.splice(0)) d.close(); };
const argmax = (r: ArrayLike<number>) => { let b = 0; for (let j = 1; j < r.length; j++) if (r[j] > r[b]) b = j; return b; };

async function addresses() {
  const [a, b, c] = [await freePort(), await freePort(), await freePort()];
  return { address: `tcp://127.0.0.1:${a}`, servers: { server0: `tcp://127.0.0.1:${b}`, server1: `tcp://127.0.0.1:${c}` } };
}

function checkAgainstPlain(plain: tf.Sequential, x: number[][], got: tf.Tensor): void {
  const want = (plain.predict(tf.tensor2d(x)) as tf.Tensor).arraySync() as number[][];
  const g = got.arraySync() as number[][];
  assert.equal(got.shape, [x.length, 3]);
  for (let i = 0; i < x.length; i++) {
    for (let j = 0; j < 3; j++) assert.ok(Math.abs(g[i][j] - want[i][j]) <= TOL, `row ${i} logit ${j}: ${g[i][j]} vs ${want[i][j]}`);
    if (Math.abs([...want[i]].sort((a, b) => b - a)[0] - [...want[i]].sort((a, b) => b - a)[1]) > 2 * TOL) assert.is(argmax(g[i]), argmax(want[i]));
  }
}

test('served predictions match plaintext; 20 concurrent clients each get their own answer', async () => {
  await withConfig('local', async () => {
    tfe.setProtocol(new SecureNN());
    const plain = plainModel();
    const model = await fromLayersModel(plain, { owner: 'server0' });
    const opts = await addresses();
    const service = await tfe.serving.serve(model, { ...opts, maxBatchSize: 16, timeoutMs: 5000 });
    const clients = await Promise.all(Array.from({ length: 20 }, () => tfe.serving.Client.connect(opts.address, { timeoutMs: 20_000 })));
    try {
      const inputs = clients.map((_, k) => rowsOf(k, 1 + (k % 3)));
      const outs = await Promise.all(clients.map((c, k) => c.predict(inputs[k])));
      outs.forEach((o, k) => checkAgainstPlain(plain, inputs[k], o));
      // edge values: zeros and negatives, a flat typed array, a tensor, the batch call
      const edge = [[0, 0, 0, 0, 0, 0], [-3, -2, -1, 1, 2, 3]];
      checkAgainstPlain(plain, edge, await clients[0].predict(Float64Array.from(edge.flat())));
      checkAgainstPlain(plain, edge, await clients[1].predict(tf.tensor2d(edge)));
      const both = await clients[2].predictBatch([[edge[0]], [edge[1]]]);
      checkAgainstPlain(plain, [edge[0]], both[0]);
      checkAgainstPlain(plain, [edge[1]], both[1]);
      const s = await clients[0].status();
      assert.equal(s.inputShape, [null, 6]);
      assert.equal(s.outputShape, [null, 3]);
      assert.is(s.served, 24);
      assert.is(s.queueDepth, 0);
      assert.ok(s.batches < 24, `requests were batched: ${s.batches} batches for 24 requests`);
      assert.ok(s.latencyMs.p50 !== null && s.latencyMs.p99! >= s.latencyMs.p50!);
    } finally {
      clients.forEach((c) => c.close());
      await service.close();
      await closeClientEndpoints();
    }
  });
});

test('bad requests get an error and the service keeps serving', async () => {
  await withConfig('local', async () => {
    tfe.setProtocol(new SecureNN());
    const plain = plainModel();
    const model = await fromLayersModel(plain, { owner: 'server0' });
    const opts = await addresses();
    const service = await tfe.serving.serve(model, { ...opts, timeoutMs: 1500 });
    const client = await tfe.serving.Client.connect(opts.address, { timeoutMs: 10_000 });
    try {
      // wrong shape: refused by the front before any share is used
      const e1 = await client.send([1, 5], [1, 2, 3, 4, 5]).catch((e) => e);
      assert.instance(e1, ValueError);
      assert.match(e1.message, /expected an input of shape \[n, 6\]/);
      // wrong size of the client's own input
      const e2 = await client.predict([[1, 2, 3]]).catch((e) => e);
      assert.instance(e2, ValueError);
      // NaN never leaves the client
      const e3 = await client.predict([[NaN, 0, 0, 0, 0, 0]]).catch((e) => e);
      assert.instance(e3, ValueError);
      // garbage bytes to the front and to a server: an error to that sender only
      const replies: string[][] = [];
      const raw = [opts.address, opts.servers.server0].map((a) => open(a, (f) => replies.push(f.map((b) => b.toString()))));
      await raw[0].send([Buffer.from([0xff, 0x00, 0x13])]);
      await raw[1].send([Buffer.from('share'), Buffer.from('x:1'), Buffer.from('{not json'), Buffer.from([1, 2, 3])]);
      await raw[1].send([Buffer.from('garbage')]);
      for (let i = 0; i < 100 && replies.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
      assert.ok(replies.length >= 2, `replies to garbage: ${replies.length}`);
      assert.ok(replies.every((r) => r[0] === 'error'));
      raw.forEach((d) => d.close());
      // a share sent to only one server: the other times out for this request only
      const id = `${client.clientId}:half`;
      const got = new Promise<string[]>((resolve) => {
        const d = open(opts.servers.server1, (f) => resolve(f.map((b) => b.toString())));
        void d.send([Buffer.from('hello'), Buffer.from(client.clientId)]);
        const front = open(opts.address, () => undefined);
        void front.send([Buffer.from('predict'), Buffer.from(id), Buffer.from(JSON.stringify({ shape: [1, 6] }))]);
        void open(opts.servers.server0, () => undefined).send([Buffer.from('share'), Buffer.from(id), Buffer.from(JSON.stringify({ shape: [1, 6] })), Buffer.alloc(48)]);
      });
      const half = await got;
      assert.is(half[0], 'error');
      assert.match(half[2], /received no share within 1000 ms/); // shareWaitMs: min(timeoutMs, 1000)
      assert.is(half[3], 'CommunicationError');
      // a share of the wrong size reaches a server: ProtocolError to that client
      const e4 = await new Promise<string[]>((resolve) => {
        const bad = `${client.clientId}:short`;
        const front = open(opts.address, () => undefined);
        void front.send([Buffer.from('predict'), Buffer.from(bad), Buffer.from(JSON.stringify({ shape: [1, 6] }))]);
        const d0 = open(opts.servers.server0, (f) => resolve(f.map((b) => b.toString())));
        void d0.send([Buffer.from('share'), Buffer.from(bad), Buffer.from(JSON.stringify({ shape: [1, 6] })), Buffer.alloc(40)]);
        void open(opts.servers.server1, () => undefined).send([Buffer.from('share'), Buffer.from(bad), Buffer.from(JSON.stringify({ shape: [1, 6] })), Buffer.alloc(48)]);
      });
      assert.is(e4[0], 'error');
      assert.match(e4[2], /40 bytes/);
      // the same request id announced twice: the second is refused
      const dupReplies: string[][] = [];
      const dup = open(opts.address, (f) => dupReplies.push(f.map((b) => b.toString())));
      const dupId = `${client.clientId}:dup`;
      for (let k = 0; k < 2; k++) void dup.send([Buffer.from('predict'), Buffer.from(dupId), Buffer.from(JSON.stringify({ shape: [1, 6] }))]);
      for (let i = 0; i < 100 && !dupReplies.length; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(dupReplies[0]?.slice(0, 2), ['error', dupId]);
      assert.match(dupReplies[0][2], /already queued or running/);
      const dupServed = new Promise<string>((resolve) => {
        for (const a of [opts.servers.server0, opts.servers.server1]) void open(a, (f) => resolve(f[0].toString())).send([Buffer.from('share'), Buffer.from(dupId), Buffer.from(JSON.stringify({ shape: [1, 6] })), Buffer.alloc(48)]);
      });
      assert.is(await dupServed, 'result'); // the first announcement is served once
      // a request shared to one server only, queued with a good one behind a running batch
      // (so they normally share the next batch): the good one gets its own correct rows; the
      // half one gets no result from server0 (server1 reports the missing share)
      const x0 = rowsOf(5, 1), x1 = rowsOf(6, 3);
      const r0 = client.predict(x0);
      const r1 = client.predict(x1);
      await new Promise((r) => setTimeout(r, 20)); // r0 and r1 are announced first
      const halfId = `${client.clientId}:half2`;
      const halfError = new Promise<string[]>((resolve) => {
        void open(opts.address, () => undefined).send([Buffer.from('predict'), Buffer.from(halfId), Buffer.from(JSON.stringify({ shape: [2, 6] }))]);
        void open(opts.servers.server0, (f) => resolve(f.map((b) => b.toString()))).send([Buffer.from('share'), Buffer.from(halfId), Buffer.from(JSON.stringify({ shape: [2, 6] })), Buffer.alloc(96)]);
      });
      checkAgainstPlain(plain, x0, await r0);
      checkAgainstPlain(plain, x1, await r1);
      const sawHalf = await Promise.race([halfError, new Promise<null>((r) => setTimeout(() => r(null), 300))]);
      assert.is(sawHalf, null, 'server0 must not answer a request whose other share never came');
      // a stranger's oversized message (over SERVING_MAX_MESSAGE_BYTES) is dropped by ZeroMQ
      // with its connection, and a flood of unasked-for shares from one connection is refused
      // once that connection's quota (SHARE_INBOX_PER_CONNECTION) is full, so it cannot fill
      // the inbox that other clients need
      void open(opts.servers.server0, () => undefined).send([Buffer.from('share'), Buffer.from('x:1'), Buffer.from('{}'), Buffer.alloc(SERVING_MAX_MESSAGE_BYTES + 1)]);
      const refusals: string[] = [];
      const flood = open(opts.servers.server1, (f) => refusals.push(f[2].toString()));
      for (let k = 0; k < SHARE_INBOX_PER_CONNECTION + 10; k++) void flood.send([Buffer.from('share'), Buffer.from(`flood:${k}`), Buffer.from(JSON.stringify({ shape: [1, 6] })), Buffer.alloc(48)]);
      for (let i = 0; i < 200 && refusals.length < 10; i++) await new Promise((r) => setTimeout(r, 20));
      assert.ok(refusals.length >= 10 && refusals.every((m) => /too many shares not yet asked for/.test(m)), `refusals: ${refusals.length}`);
      // the next good request is served correctly
      const x = rowsOf(3, 2);
      checkAgainstPlain(plain, x, await client.predict(x));
      assert.instance(new ProtocolError('x'), Error);
    } finally {
      client.close();
      closeOpened();
      await service.close();
      await closeClientEndpoints();
    }
  });
});

test('a request whose share reached only server0, in one batch with a good one: the good one is served, server1 reports the missing share, server0 answers nothing', async () => {
  await withConfig('local', async () => {
    tfe.setProtocol(new SecureNN());
    const plain = plainModel();
    const model = await fromLayersModel(plain, { owner: 'server0' });
    const opts = await addresses();
    // one batch at a time: the two requests queued behind the blocker run together
    const service = await tfe.serving.serve(model, { ...opts, timeoutMs: 5000, shareWaitMs: 400, maxInFlight: 1 });
    const client = await tfe.serving.Client.connect(opts.address, { timeoutMs: 10_000 });
    try {
      const front = open(opts.address, () => undefined);
      const header = Buffer.from(JSON.stringify({ shape: [1, 6] }));
      // the blocker: announced, no share anywhere, so its batch waits shareWaitMs
      void front.send([Buffer.from('predict'), Buffer.from(`${client.clientId}:blocker`), header]);
      await new Promise((r) => setTimeout(r, 100));
      const halfId = `${client.clientId}:half`;
      const fromServer0: string[][] = [], fromServer1: string[][] = [];
      open(opts.servers.server1, (f) => fromServer1.push(f.map((b) => b.toString()))).send([Buffer.from('hello'), Buffer.from(client.clientId)]);
      const x = rowsOf(9, 1);
      const good = client.predict(x);
      void front.send([Buffer.from('predict'), Buffer.from(halfId), header]);
      void open(opts.servers.server0, (f) => fromServer0.push(f.map((b) => b.toString()))).send([Buffer.from('share'), Buffer.from(halfId), header, Buffer.alloc(48)]);
      checkAgainstPlain(plain, x, await good);
      for (let i = 0; i < 100 && !fromServer1.some((f) => f[1] === halfId); i++) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 300));
      const s1 = fromServer1.find((f) => f[1] === halfId);
      assert.ok(s1, 'server1 reports the missing share');
      assert.equal([s1![0], s1![3]], ['error', 'CommunicationError']);
      assert.match(s1![2], /received no share within 400 ms/);
      assert.equal(fromServer0.filter((f) => f[1] === halfId), [], 'server0 must not answer a request whose other share never came');
      const st = await client.status();
      assert.ok(st.batches >= 2, `the blocker's batch and the shared one: ${st.batches}`);
    } finally {
      client.close();
      closeOpened();
      await service.close();
      await closeClientEndpoints();
    }
  });
});

test('serve and Client validate their arguments', async () => {
  await withConfig('local', async () => {
    tfe.setProtocol(new SecureNN());
    const model = await fromLayersModel(plainModel(), { owner: 'server0' });
    const opts = await addresses();
    await rejects(() => tfe.serving.serve(model, { ...opts, servers: { server0: opts.servers.server0 } }), /no address for server1|found none for server1/);
    await rejects(() => tfe.serving.serve(model, { ...opts, maxBatchSize: 0 }), /maxBatchSize/);
    await rejects(() => tfe.serving.Client.connect('http://x'), /tcp:\/\/HOST:PORT/);
    const e = await tfe.serving.Client.connect(`tcp://127.0.0.1:${await freePort()}`, { timeoutMs: 300 }).catch((x) => x);
    assert.instance(e, CommunicationError);
  });
});

test.run();
