/** The wire format: headers, tensor frames, control frames, and rejection of garbage. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ProtocolError, ValueError } from '../../src/errors.js';
import { U64, ring } from '../../src/kernels/index.js';
import { MsgType, PAYLOAD_FRAME_BYTES, copiesPeerTensor, decodeHeader, decodeJson, encodeHeader, encodeJson, tensorMessage, tensorMessageBytes, tensorOf } from '../../src/runtime/wire/codec.js';
import { INSTRUCTION_SET_VERSION, validateRemoteBatch } from '../../src/runtime/wire/instructions.js';
import { tensorFromBytes } from '../../src/runtime/wire/tensor_bytes.js';

const protocolError = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: Error) => e instanceof ProtocolError && re.test(e.message));

test('tensor messages round-trip as header + raw little-endian bytes', () => {
  const t = ring.fromBigInts([1n, 2n ** 64n - 1n, 3n], [3, 1]);
  const frames = tensorMessage(MsgType.PeerTensor, '0123456789abcdef', 42, 'server0', t);
  assert.is(frames.length, 2);
  assert.is(frames[1].length, 24);
  assert.is(frames[1].readBigUInt64LE(8), 2n ** 64n - 1n);
  assert.is(frames[0].length + frames[1].length, tensorMessageBytes('server0', t));
  const h = decodeHeader(frames[0]);
  assert.equal([h.type, h.session, h.tag, h.name], [MsgType.PeerTensor, '0123456789abcdef', 42, 'server0']);
  const back = tensorOf(h, [frames[0], Buffer.from(frames[1])]);
  assert.equal(back.shape, [3, 1]);
  assert.equal([...back.values()], [1n, 2n ** 64n - 1n, 3n]);
  // Misaligned payloads are copied, not misread.
  const odd = Buffer.alloc(25).subarray(1);
  frames[1].copy(odd);
  assert.equal([...tensorOf(h, [frames[0], odd]).values()], [1n, 2n ** 64n - 1n, 3n]);
  const bits = ring.fromValues([0, 1, 1], [3], { dtype: 'u8', modulus: 2 });
  const bf = tensorMessage(MsgType.Result, 'ffffffffffffffff', 1, '', bits);
  const bt = tensorOf(decodeHeader(bf[0]), bf);
  assert.equal(bt.ring, { dtype: 'u8', modulus: 2 });
  assert.equal([...bt.values()], [0, 1, 1]);
});

test('a copied tensor message holds its own bytes; only one-frame tensors are copied', () => {
  const t = ring.fromBigInts([5n, 6n, 7n], [3]);
  const view = tensorMessage(MsgType.PeerTensor, '0123456789abcdef', 1, 'server0', t);
  const copy = tensorMessage(MsgType.PeerTensor, '0123456789abcdef', 1, 'server0', t, true);
  assert.equal(copy[0], view[0], 'the same header');
  (t.values() as BigUint64Array)[1] = 99n;
  assert.is(view[1].readBigUInt64LE(8), 99n, 'without copy the frame is a view of the tensor');
  assert.is(copy[1].readBigUInt64LE(8), 6n, 'the copy keeps the value at send time');
  assert.equal([...tensorOf(decodeHeader(copy[0]), copy).values()], [5n, 6n, 7n]);
  assert.is(copiesPeerTensor(PAYLOAD_FRAME_BYTES), true);
  assert.is(copiesPeerTensor(PAYLOAD_FRAME_BYTES + 1), false);
  assert.is(copiesPeerTensor(0), true);
  const big = tensorFromBytes({ shape: [PAYLOAD_FRAME_BYTES / 8 + 1], ring: U64 }, new Uint8Array(PAYLOAD_FRAME_BYTES + 8));
  assert.throws(() => tensorMessage(MsgType.PeerTensor, '0123456789abcdef', 1, 'server0', big, true), (e: Error) => e instanceof ValueError && /never copied/.test(e.message));
});

test('a tensor over 8 MiB travels in 8 MiB payload frames, views of its memory, joined back in one', () => {
  const n = 2.5 * 2 ** 20; // 20 MiB of u64
  const v = new BigUint64Array(n);
  for (let i = 0; i < n; i += 4099) v[i] = BigInt(i) * 0x9e3779b97f4a7c15n % 2n ** 64n;
  v[n - 1] = 2n ** 64n - 1n;
  const t = tensorFromBytes({ shape: [n / 4, 4], ring: U64 }, new Uint8Array(v.buffer));
  const frames = tensorMessage(MsgType.PeerTensor, '0123456789abcdef', 7, 'server1', t);
  assert.equal(frames.slice(1).map((f) => f.length), [PAYLOAD_FRAME_BYTES, PAYLOAD_FRAME_BYTES, 4 * 2 ** 20]);
  assert.is(frames[1].buffer, v.buffer, 'a view, not a copy');
  assert.is(frames.reduce((a, f) => a + f.length, 0), tensorMessageBytes('server1', t));
  const back = tensorOf(decodeHeader(frames[0]), frames.map((f) => Buffer.from(f))); // as received: fresh buffers
  assert.equal(back.shape, [n / 4, 4]);
  const bv = back.values() as BigUint64Array;
  let same = true;
  for (let i = 0; i < n && same; i += 4099) same = bv[i] === v[i];
  assert.ok(same && bv[n - 1] === 2n ** 64n - 1n && bv[PAYLOAD_FRAME_BYTES / 8] === v[PAYLOAD_FRAME_BYTES / 8], 'the same elements across frame boundaries');
  // u8 (Z_67): the element check runs on every frame
  const u = new Uint8Array(PAYLOAD_FRAME_BYTES + 5).map((_, i) => i % 67);
  const uf = tensorMessage(MsgType.PeerTensor, '0123456789abcdef', 8, 'server1', tensorFromBytes({ shape: [u.length], ring: { dtype: 'u8', modulus: 67 } }, u));
  assert.equal(uf.slice(1).map((f) => f.length), [PAYLOAD_FRAME_BYTES, 5]);
  assert.equal([...(tensorOf(decodeHeader(uf[0]), uf).values() as Uint8Array).subarray(PAYLOAD_FRAME_BYTES - 2)], [...u.subarray(PAYLOAD_FRAME_BYTES - 2)]);
  const bad = Buffer.from(uf[2]!);
  bad[1] = 67;
  protocolError(() => tensorOf(decodeHeader(uf[0]), [uf[0], uf[1], bad]), /outside Z_67/);
});

test('payload frames that do not make the tensor are ProtocolErrors', () => {
  const n = PAYLOAD_FRAME_BYTES / 8 + 10;
  const frames = tensorMessage(MsgType.PeerTensor, '0123456789abcdef', 1, 'a', tensorFromBytes({ shape: [n], ring: U64 }, new Uint8Array(8 * n)));
  const h = decodeHeader(frames[0]);
  protocolError(() => tensorOf(h, [frames[0]]), /a header and a payload/);
  protocolError(() => tensorOf(h, [frames[0], frames[1].subarray(8), frames[2]]), /8388608 bytes in each but the last/); // a short middle frame
  protocolError(() => tensorOf(h, [frames[0], frames[1], frames[2], Buffer.alloc(0)]), /in each but the last/); // an empty last frame
  protocolError(() => tensorOf(h, [frames[0], frames[1], frames[2].subarray(3)]), /whole number of 8-byte elements/);
  protocolError(() => tensorOf(h, [frames[0], frames[1], frames[2].subarray(8)]), /shape \[1048586\] needs/); // one element short
  protocolError(() => tensorOf(h, [frames[0], ...Array.from({ length: 129 }, () => frames[1])]), /at most 128 frames/);
  // a claimed shape of one element with 16 MiB of frames: refused before any join
  const one = tensorMessage(MsgType.PeerTensor, '0123456789abcdef', 1, 'a', tensorFromBytes({ shape: [1], ring: U64 }, new Uint8Array(8)));
  protocolError(() => tensorOf(decodeHeader(one[0]), [one[0], frames[1], frames[1]]), /has 16777216 bytes, shape \[1\] needs 8/);
});

test('control frames carry bigints, typed arrays and tensors as binary frames', () => {
  const seed = new Uint8Array([1, 2, 3]);
  const up = ring.fromBigInts([7n], [1]);
  const batch = [
    { op: 'fill', out: 1, shape: [2], value: 2n ** 63n, ring: U64 },
    { op: 'kernel', out: 2, kernel: 'Gather', inputs: [1], attrs: { axis: 0, indices: new Int32Array([1, 0]), seed } },
    { op: 'upload', out: 3, tensor: up },
  ];
  const frames = encodeJson(batch);
  assert.is(frames.length, 5); // json, indices, seed, tensor desc, tensor bytes
  assert.not.match(frames[0].toString(), /AQID/); // no base64
  const back = validateRemoteBatch(decodeJson(frames)) as any[];
  assert.is(back[0].value, 2n ** 63n);
  assert.instance(back[1].attrs.indices, Int32Array);
  assert.equal([...back[1].attrs.indices], [1, 0]);
  assert.equal([...back[2].tensor.values()], [7n]);
});

test('garbage, wrong magic, wrong version and truncation are ProtocolErrors', () => {
  protocolError(() => decodeHeader(Buffer.from('hello')), /too short/);
  protocolError(() => decodeHeader(Buffer.alloc(40, 0x41)), /bad magic/);
  const h = encodeHeader(MsgType.Batch, '0123456789abcdef', 0);
  h.writeUInt16LE(INSTRUCTION_SET_VERSION + 1, 4);
  protocolError(() => decodeHeader(h), /wrong protocol version/);
  const t = encodeHeader(MsgType.Ping, '0123456789abcdef', 0);
  t.writeUInt8(99, 6);
  protocolError(() => decodeHeader(t), /unknown message type/);
  const f = tensorMessage(MsgType.PeerTensor, '0123456789abcdef', 1, 'a', ring.fromBigInts([1n, 2n], [2]));
  protocolError(() => tensorOf(decodeHeader(f[0]), [f[0], f[1].subarray(0, 9)]), /needs 16/);
  protocolError(() => decodeJson([Buffer.from('{not json')]), /not valid JSON/);
});

test('remote batches: only known instructions with well-typed fields', () => {
  validateRemoteBatch([{ op: 'sync', req: 1 }, { op: 'free', ids: [1, 2] }]);
  protocolError(() => validateRemoteBatch({}), /must be an array/);
  protocolError(() => validateRemoteBatch([{ op: 'eval', code: 'process.exit()' }]), /unknown op `eval`/);
  protocolError(() => validateRemoteBatch([{ op: 'provide', out: 1 }]), /unknown op `provide`/);
  protocolError(() => validateRemoteBatch([{ op: 'kernel', out: -1, kernel: 'Add', inputs: [], attrs: {} }]), /malformed/);
  protocolError(() => validateRemoteBatch([{ op: '__proto__' }]), /unknown op/);
  const zeroPart = { op: 'sample', out: 3, peer: 'server2', nonce: 7n, shape: [4], ring: { dtype: 'u64' }, minus: { other: 'server1', combine: 'sub' } };
  validateRemoteBatch([zeroPart, { ...zeroPart, minus: { other: 'server1', combine: 'xor' } }]);
  for (const minus of [{ other: 'server2', combine: 'sub' }, { other: 'server1', combine: 'add' }, { other: 7, combine: 'sub' }, 'server1', null]) {
    protocolError(() => validateRemoteBatch([{ ...zeroPart, minus }]), /malformed/);
  }
  protocolError(() => validateRemoteBatch([{ ...zeroPart, peer: undefined }]), /malformed/);
});

test('a u8 payload is refused exactly when some element is outside Z_m, at every length, alignment and modulus', () => {
  let checked = 0;
  for (const m of [2, 3, 67, 127, 128, 129, 200, 255]) {
    for (let trial = 0; trial < 600; trial++) {
      const len = (trial * 7) % 297; // past the 64-byte threshold and several 32-byte blocks
      const off = trial % 5;
      const buf = new Uint8Array(len + off);
      for (let i = 0; i < len; i++) buf[off + i] = (i * 31 + trial) % m;
      const pos = trial % 2 && len ? off + (trial % len) : -1;
      if (pos >= 0) buf[pos] = m + ((trial * 13) % (256 - m)); // in [m, 255]
      const decode = () => tensorFromBytes({ shape: [len], ring: { dtype: 'u8', modulus: m } }, buf.subarray(off));
      if (pos >= 0) assert.throws(decode, (e: Error) => e instanceof ProtocolError && e.message.includes(`Z_${m}`), `m ${m} len ${len} off ${off} bad at ${pos - off}`);
      else assert.equal([...decode().values()], [...buf.subarray(off)], `m ${m} len ${len} off ${off}`);
      checked++;
    }
  }
  assert.is(checked, 4800);
});

test.run();
