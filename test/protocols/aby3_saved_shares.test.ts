/** ABY3 checkpoint shares: each server writes its two shares; load restores the value; checks. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import { testTmpDir } from '../helpers/tmp.js';

const dir = testTmpDir('aby3-saved-shares');
const pathOf = (stem: string) => (player: string, k: number) => join(dir, player, `${stem}_${k}.bin`);
const aby3 = new tfe.ABY3();
tfe.setProtocol(aby3);

test('a private tensor saves two shares per server and loads back to the same values', async () => {
  const values = [0, -1.5, 2.25, 1e-4, -30000, 30000];
  const x = await tfe.definePrivateInput('input-provider', () => values, { shape: [2, 3] });
  const saved = aby3.saveShares(x, pathOf('x'));
  await tfe.getRuntime().flush();
  assert.equal(saved.kind, 'private');
  assert.equal(saved.files.map((f) => f.player), ['server0', 'server0', 'server1', 'server1', 'server2', 'server2']);
  for (const f of saved.files) assert.ok(existsSync(f.path), `${f.player} wrote ${f.path}`);
  const got = await aby3.loadShares(saved).reveal();
  values.forEach((v, i) => assert.ok(Math.abs(got[i] - v) <= 2 ** -16, `element ${i}: ${got[i]} vs ${v}`));
});

test('public tensors round trip; shares of other players are refused', async () => {
  const saved = aby3.saveShares(tfe.defineConstant([1, 2, 3]), pathOf('c'));
  await tfe.getRuntime().flush();
  assert.equal(saved.kind, 'public');
  assert.equal(Array.from(await aby3.loadShares(saved).reveal()), [1, 2, 3]);
  assert.throws(() => aby3.loadShares({ ...saved, files: saved.files.slice(0, 2) }), /expects \[server0, server1, server2\]/);
});

test.run();
