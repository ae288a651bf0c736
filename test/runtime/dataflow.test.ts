/**
 * The networked player's dataflow scheduler (player/dataflow.ts): kernels and sends whose
 * inputs are on their way wait aside while the stream runs on, run when their inputs arrive,
 * and frees of what they read or make are put off until they have run. And the driver's round
 * count is communication depth, whatever the order instructions run in.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { U64, ring } from '../../src/kernels/index.js';
import type { RingTensor } from '../../src/runtime/kernel_link.js';
import type { Instruction } from '../../src/runtime/wire/instructions.js';
import { Dataflow } from '../../src/runtime/player/dataflow.js';
import { LocalConfig, setConfig, getRuntime } from '../../src/runtime/index.js';
import { validateRemoteBatch } from '../../src/runtime/wire/instructions.js';
import { ProtocolError } from '../../src/errors.js';

/** A fake session: handles, a log of what ran and what was forgotten. */
function host() {
  const handles = new Map<number, RingTensor | Promise<RingTensor>>();
  const ran: string[] = [];
  const forgot: number[] = [];
  const failures: string[] = [];
  const t = () => ring.fromBigInts([1n], [1]);
  const flow = new Dataflow({
    handles,
    run: (i) => {
      ran.push(i.op === 'kernel' ? `k${i.out}` : `s${(i as { src: number }).src}`);
      if (i.op === 'kernel') {
        if (i.kernel === 'Boom') throw new Error('boom');
        handles.set(i.out, t());
      }
    },
    forget: (id) => { forgot.push(id); handles.delete(id); },
    fail: (e, i) => failures.push(`${i.op}: ${(e as Error).message}`),
  });
  const arrive = (id: number) => { handles.set(id, t()); flow.arrived(id); };
  return { handles, ran, forgot, failures, flow, arrive, t };
}

const kernel = (out: number, inputs: number[], name = 'Add'): Instruction => ({ op: 'kernel', out, kernel: name, inputs, attrs: {} });

test('a kernel whose input is on its way waits aside; independent work runs on; it runs on arrival', () => {
  const h = host();
  h.handles.set(1, h.t());
  h.handles.set(2, new Promise(() => undefined)); // a receive not here yet
  assert.ok(h.flow.offer(kernel(3, [1, 2])), 'k3 waits for handle 2');
  assert.ok(h.flow.offer(kernel(4, [3, 1])), 'k4 waits for k3');
  assert.ok(h.flow.offer({ op: 'send', src: 4, to: 'server1', tag: 9, round: 1 }));
  assert.not.ok(h.flow.offer(kernel(5, [1, 1])), 'k5 is independent: run it now');
  assert.is(h.flow.waiting, 3);
  h.arrive(2);
  assert.equal(h.ran, ['k3', 'k4', 's4']);
  assert.is(h.flow.waiting, 0);
});

test('frees of what a waiting instruction reads or makes are put off until it has run', async () => {
  const h = host();
  h.handles.set(1, h.t());
  h.handles.set(2, new Promise(() => undefined));
  h.flow.offer(kernel(3, [1, 2]));
  h.flow.offer({ op: 'free', ids: [1, 3] }); // 1 is read by k3, 3 is k3's output
  h.flow.offer({ op: 'free', ids: [7] });    // nobody waits on 7: freed now
  assert.equal(h.forgot, [7]);
  const idle = h.flow.idle();
  assert.ok(h.flow.isBarrier({ op: 'sync', req: 1 }));
  assert.not.ok(h.flow.isBarrier({ op: 'recv', out: 8, from: 'server1', tag: 8 }));
  h.arrive(2);
  await idle;
  assert.equal(h.ran, ['k3']);
  assert.equal(h.forgot.sort(), [1, 3, 7]);
});

test('a woken instruction that throws fails the session, naming its op', () => {
  const h = host();
  h.handles.set(2, new Promise(() => undefined));
  h.flow.offer(kernel(3, [2], 'Boom'));
  h.arrive(2);
  assert.equal(h.failures, ['kernel: boom']);
});

test('a handle written twice is refused, by the batch check and by the scheduler', () => {
  assert.throws(() => validateRemoteBatch([{ op: 'kernel', out: 1, kernel: 'Add', inputs: [1, 2], attrs: {} }]), (e: Error) => e instanceof ProtocolError);
  const h = host();
  h.handles.set(2, new Promise(() => undefined));
  h.flow.offer(kernel(3, [2]));
  assert.throws(() => h.flow.offer(kernel(3, [2])), (e: Error) => e instanceof ProtocolError && /handle 3 is written twice/.test(e.message));
});

test('rounds are communication depth: two exchanges issued one after the other count once', async () => {
  setConfig(new LocalConfig(['server0', 'server1']));
  const rt = getRuntime();
  const a = rt.fill('server0', [2], 1n, U64), b = rt.fill('server1', [2], 2n, U64);
  await rt.resetCounters();
  // Two independent exchanges (depth 1 each), then one that depends on both (depth 2).
  const x = rt.send(a, 'server1'), y = rt.send(b, 'server0');
  const x2 = rt.send(rt.op('server0', 'Add', [a, a]), 'server1');
  const z = rt.send(rt.op('server1', 'Add', [x, x2]), 'server0');
  assert.equal([...(await rt.reveal(rt.op('server0', 'Add', [z, y]))).values()], [5n, 5n]); // (1 + 2) + 2
  const c = await rt.counters();
  assert.is(c.server0.rounds, 1, 'server0 sent at depth 1 only');
  assert.is(c.server1.rounds, 2, 'server1 sent a message that depends on round-1 messages');
  // A send issued while the reset is under way counts from the reset too.
  const deep = rt.op('server0', 'Add', [z, y]); // depth 2
  const reset = rt.resetCounters();
  rt.send(deep, 'server1');
  await reset;
  assert.is((await rt.counters()).server0.rounds, 1);
  await rt.close();
});

test.run();
