import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BatchPolicy } from '../../src/serving/batching.js';

const args = { maxBatchSize: 8, windowMs: 10, maxInFlight: 2, horizonMs: 1000 };

test('a lone client never waits', () => {
  const p = new BatchPolicy(args);
  p.arrived('a', 0);
  assert.equal(p.decide({ queuedRows: 1, queuedClients: 1, inFlight: 0, now: 0 }), { start: true });
  p.finished(40);
  p.arrived('a', 50);
  assert.equal(p.decide({ queuedRows: 1, queuedClients: 1, inFlight: 0, now: 50 }), { start: true });
});

test('a group of clients waits for its members, at most a quarter batch and the window', () => {
  const p = new BatchPolicy(args);
  for (const c of ['a', 'b', 'c']) p.arrived(c, 0);
  p.finished(20);
  p.arrived('a', 100);
  assert.equal(p.decide({ queuedRows: 1, queuedClients: 1, inFlight: 0, now: 100 }), { waitMs: 5 });
  p.arrived('b', 101);
  p.arrived('c', 102);
  assert.equal(p.decide({ queuedRows: 3, queuedClients: 3, inFlight: 0, now: 102 }), { start: true });
  p.finished(400); // slow batches: the window caps the wait
  p.finished(400);
  assert.equal(p.decide({ queuedRows: 1, queuedClients: 1, inFlight: 0, now: 103 }), { waitMs: 10 });
});

test('a full batch starts at once; a client gone quiet stops counting after the horizon', () => {
  const p = new BatchPolicy(args);
  for (let k = 0; k < 20; k++) p.arrived(`c${k}`, 0);
  assert.equal(p.decide({ queuedRows: 8, queuedClients: 8, inFlight: 0, now: 1 }), { start: true });
  p.arrived('c0', 1500);
  assert.equal(p.decide({ queuedRows: 1, queuedClients: 1, inFlight: 0, now: 1500 }), { start: true });
});

test('while a batch runs, only a full batch is started, up to maxInFlight', () => {
  const p = new BatchPolicy(args);
  p.arrived('a', 0);
  assert.equal(p.decide({ queuedRows: 3, queuedClients: 3, inFlight: 1, now: 0 }), { idle: true });
  assert.equal(p.decide({ queuedRows: 8, queuedClients: 8, inFlight: 1, now: 0 }), { start: true });
  assert.equal(p.decide({ queuedRows: 8, queuedClients: 8, inFlight: 2, now: 0 }), { idle: true });
  assert.equal(p.decide({ queuedRows: 0, queuedClients: 0, inFlight: 0, now: 0 }), { idle: true });
});

test('windowMs 0 never waits', () => {
  const p = new BatchPolicy({ ...args, windowMs: 0 });
  for (const c of ['a', 'b']) p.arrived(c, 0);
  assert.equal(p.decide({ queuedRows: 1, queuedClients: 1, inFlight: 0, now: 1 }), { start: true });
});

test.run();
