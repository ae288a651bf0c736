/**
 * One declared shape for private inputs, checked against the data (issue 14, item 1): loader
 * inputs honour the outer `shape`, mismatches of size or of shape are `ValueError`s naming the
 * file, and providers with a shape of their own are not reshaped silently.
 */
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import { testTmpDir } from '../helpers/tmp.js';

const dir = relative(process.cwd(), testTmpDir('input-shapes'));
const table = Array.from({ length: 40 }, (_, i) => Array.from({ length: 13 }, (_, j) => i - j / 4));
writeFileSync(join(dir, 'table.json'), JSON.stringify(table));
writeFileSync(join(dir, 'six.json'), JSON.stringify([1, 2, 3, 4, 5, 6]));
writeFileSync(join(dir, 'square.json'), JSON.stringify([[1, 2], [3, 4]]));
writeFileSync(join(dir, 'secret.json'), '{"password": hunter2}');

async function rejects(p: Promise<unknown>, ...patterns: RegExp[]): Promise<Error> {
  try { await p; } catch (e) {
    assert.instance(e, tfe.ValueError, `a ValueError, got ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
    for (const re of patterns) assert.match((e as Error).message, re);
    return e as Error;
  }
  return assert.unreachable('expected a rejection') as never;
}

for (const make of [() => new tfe.Pond(), () => new tfe.SecureNN()]) {
  const name = make().name;

  test(`${name}: a loaded 40 × 13 table keeps the declared shape [40, 13]`, async () => {
    tfe.setProtocol(make());
    const x = await tfe.definePrivateInput('data-owner', { loader: 'json', args: { path: `${dir}/table.json` }, shape: [40, 13] });
    assert.equal(x.shape, [40, 13]);
    const got = await x.reveal();
    assert.ok(Math.abs(got[13 * 7 + 5] - (7 - 5 / 4)) <= 2 ** -16);
    const own = await tfe.definePrivateInput('data-owner', { loader: 'json', args: { path: `${dir}/table.json` } });
    assert.equal(own.shape, [40, 13], 'without a declared shape, the file\'s own');
  });

  test(`${name}: 6 values declared as [7, 7] and a [2, 2] file declared as [4, 1] are ValueErrors naming the file`, async () => {
    tfe.setProtocol(make());
    await rejects(tfe.definePrivateInput('data-owner', { loader: 'json', args: { path: `${dir}/six.json` }, shape: [7, 7] }), /six\.json/, /\[7,7\]/);
    await rejects(tfe.definePrivateInput('data-owner', { loader: 'json', args: { path: `${dir}/square.json` }, shape: [4, 1] }), /square\.json/, /\[2,2\]/, /\[4,1\]/);
    const flat = await tfe.definePrivateInput('data-owner', { loader: 'json', args: { path: `${dir}/six.json` }, shape: [2, 3] });
    assert.equal(flat.shape, [2, 3], 'a flat file takes any shape of its size');
  });

  test(`${name}: \`shape\` and a different \`args.shape\` disagree: ValueError`, async () => {
    tfe.setProtocol(make());
    await rejects(tfe.definePrivateInput('data-owner', { loader: 'json', args: { path: `${dir}/six.json`, shape: [6] }, shape: [2, 3] }), /disagree/);
  });

  test(`${name}: a provider's [2, 2] array declared as [4, 1] is an error; a flat list takes the shape`, async () => {
    tfe.setProtocol(make());
    await rejects(tfe.definePrivateInput('data-owner', () => [[1, 2], [3, 4]], { shape: [4, 1] }), /\[2,2\]/, /\[4,1\]/);
    const ok = await tfe.definePrivateInput('data-owner', () => [1, 2, 3, 4], { shape: [4, 1] });
    assert.equal(ok.shape, [4, 1]);
  });

  test(`${name}: a file that is not JSON is named, and its content is not echoed`, async () => {
    tfe.setProtocol(make());
    const e = await rejects(tfe.definePrivateInput('data-owner', { loader: 'json', args: { path: `${dir}/secret.json` } }), /secret\.json/);
    assert.not.match(e.message, /hunter2|password/);
    assert.not.ok(e.message.includes(process.cwd()), 'no absolute path');
  });
}

test.run();
