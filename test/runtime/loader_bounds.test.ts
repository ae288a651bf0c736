/**
 * Loader bounds found in review: `client-share` checks the batch size before it allocates or
 * binds anything, and the ONNX loaders resolve (and so check) the path on every call, caching
 * weights by player and resolved path rather than by the driver's relative path.
 */
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ValueError } from '../../src/errors.js';
import '../../src/models/onnx/loader.js';
import { MAX_WIRE_ELEMENTS } from '../../src/runtime/wire/instructions.js';
import { dataContext, getLoader } from '../../src/runtime/player/data_sources.js';
import '../../src/runtime/player/client_shares.js';
import { fixture } from '../models/onnx_helpers.js';

const rejects = async (f: () => unknown, re: RegExp) => {
  try { await Promise.resolve().then(f); } catch (e) { assert.instance(e, ValueError); assert.match((e as Error).message, re); return; }
  assert.unreachable('expected a ValueError');
};

test('client-share refuses a batch larger than the wire bound before binding or allocating', async () => {
  const ctx = dataContext('server0', tmpdir());
  const rows = Math.floor(MAX_WIRE_ELEMENTS / 784) + 1;
  await rejects(() => getLoader('client-share')({ bind: 'tcp://127.0.0.1:1', features: [784], requests: [{ id: 'c', rows }] }, ctx), /more than 268435456 elements/);
});

test('onnx-weight resolves its path on every call: after a graph load, a path swapped to a symlink out of the data dir is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tfe-onnx-cache-'));
  const outside = mkdtempSync(join(tmpdir(), 'tfe-onnx-outside-'));
  try {
    writeFileSync(join(dir, 'm.onnx'), fixture('mlp'));
    const ctx = dataContext('server0', dir);
    await getLoader('onnx-graph')({ path: 'm.onnx' }, ctx);
    const w = await getLoader('onnx-weight')({ path: 'm.onnx', name: 'fc1.weight' }, ctx);
    assert.ok(w, 'a weight of the cached model');
    rmSync(join(dir, 'm.onnx'));
    writeFileSync(join(outside, 'm.onnx'), fixture('mlp'));
    symlinkSync(join(outside, 'm.onnx'), join(dir, 'm.onnx'));
    await rejects(() => getLoader('onnx-weight')({ path: 'm.onnx', name: 'fc1.bias' }, ctx), /outside|data dir/i);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  }
});

test.run();
