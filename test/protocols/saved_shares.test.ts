/** Protocol-owned checkpoint shares: Pond's saveShares/loadShares round trip, kinds, and checks. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import { testTmpDir } from '../helpers/tmp.js';

const dir = testTmpDir('saved-shares');
const pathOf = (stem: string) => (player: string, k: number) => join(dir, player, `${stem}_${k}.bin`);

for (const [name, make] of [['Pond', () => new tfe.Pond()], ['SecureNN', () => new tfe.SecureNN()]] as const) {
  test(`${name}: a private tensor saves one share per server and loads back to the same values`, async () => {
    const p = make();
    tfe.setProtocol(p);
    const values = [0, -1.5, 2.25, 1e-4, -30000, 30000];
    const x = await tfe.definePrivateInput('input-provider', () => values, { shape: [2, 3] });
    const saved = p.saveShares(x, pathOf(`${name}_x`));
    await tfe.getRuntime().flush();
    assert.equal(saved.kind, 'private');
    assert.equal(saved.shape, [2, 3]);
    assert.equal(saved.files.map((f) => f.player), ['server0', 'server1']);
    for (const f of saved.files) assert.ok(existsSync(f.path), `${f.player} wrote its share`);
    // A share alone is not the value: the two files differ from the encoded plaintext and each other.
    const [a, b] = saved.files.map((f) => readFileSync(f.path));
    assert.not.equal(a, b);
    const y = p.loadShares(saved);
    assert.equal(y.shape, [2, 3]);
    const got = await y.reveal();
    values.forEach((v, i) => assert.ok(Math.abs(got[i] - v) <= 2 ** -16, `element ${i}: ${got[i]} vs ${v}`));
  });

  test(`${name}: public tensors round trip as public; foreign players are refused`, async () => {
    const p = make();
    tfe.setProtocol(p);
    const c = tfe.defineConstant([1, 2, 3]);
    const saved = p.saveShares(c, pathOf(`${name}_c`));
    await tfe.getRuntime().flush();
    assert.equal(saved.kind, 'public');
    const back = p.loadShares(saved);
    assert.equal(back.kind, 'public');
    assert.equal(Array.from(await back.reveal()), [1, 2, 3]);
    const foreign = { ...saved, files: [{ player: 'server1', path: saved.files[0].path }, { player: 'server0', path: saved.files[1].path }] };
    assert.throws(() => p.loadShares(foreign), (e: Error) => e instanceof tfe.ValueError && /expects \[server0, server1\]/.test(e.message));
  });
}

test.run();
