/**
 * package.json's entry points exist after `npm install` (its `prepare` step builds dist/), and a
 * plain `node` script (no tsx) can import tfe-js by name and compute privately.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const root = new URL('../..', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  main: string; types: string; exports: Record<string, { types: string; import: string }>;
};

test('main, types and exports name files that exist', () => {
  for (const f of [pkg.main, pkg.types, pkg.exports['.'].types, pkg.exports['.'].import]) {
    assert.ok(existsSync(join(root, f)), `${f} exists (run \`npm run build\`)`);
  }
});

test('plain node imports tfe-js by name and reveals a private sum', () => {
  const script = `
    import * as tfe from 'tfe-js';
    const x = await tfe.definePrivateInput('input-provider', () => [1.5, -2, 3]);
    console.log(JSON.stringify(Array.from(await tfe.add(x, x).reveal())));
    await tfe.getRuntime().close();`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  assert.is(r.status, 0, r.stderr);
  const last = r.stdout.trim().split('\n').pop()!;
  assert.equal(JSON.parse(last), [3, -4, 6]);
});

test.run();
