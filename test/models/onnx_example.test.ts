import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

test('examples/onnx-prediction runs: private predictions agree with onnxruntime on every image', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'examples/onnx-prediction/run.ts', '--test', '40'], { encoding: 'utf8', timeout: 240_000 });
  assert.is(r.status, 0, r.stderr.slice(-2000));
  assert.match(r.stdout, /bn_BatchNormalization/);
  assert.match(r.stdout, /argmax agreement: +100\.0%/);
  const acc = /private accuracy: +([\d.]+)%/.exec(r.stdout);
  assert.ok(acc && Number(acc[1]) >= 85, r.stdout.slice(-500));
});

test.run();
