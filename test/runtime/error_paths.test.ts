/**
 * A failed loader never tells the driver the player's absolute paths: every instruction error
 * is scrubbed of the data dir's prefix, whichever loader wrote the message (here csv, which
 * names the resolved file), and never quotes the offending cell.
 */
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import { testTmpDir } from '../helpers/tmp.js';

test('csv error names the file relative to the data dir, with no absolute path or cell text', async () => {
  const dir = testTmpDir('error-paths');
  writeFileSync(join(dir, 'secret.csv'), 'a,b\n1,hunter2\n');
  tfe.setProtocol(new tfe.Pond());
  let err: Error | undefined;
  try { await tfe.definePrivateInput('data-owner', tfe.data.csv(`${relative(process.cwd(), dir)}/secret.csv`)); } catch (e) { err = e as Error; }
  assert.instance(err, tfe.ValueError);
  assert.match(err!.message, /secret\.csv` row 1, column `b`: expected a number, found text/);
  assert.not.ok(err!.message.includes(process.cwd()), err!.message);
  assert.not.match(err!.message, /hunter2/);
});

test.run();
