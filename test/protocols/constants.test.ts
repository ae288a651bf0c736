/**
 * Public constants on the servers (`defineConstant`, protocols/lift.ts `placeConstant`): an
 * array of one value travels as a `fill` of its shape (no payload, and a training step's batch
 * stays replayable), any other array as an upload; the values are the same either way.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import { LocalConfig, getRuntime, setConfig } from '../../src/runtime/index.js';
import type { Instruction } from '../../src/runtime/wire/instructions.js';

for (const [name, make] of [['Pond', () => new tfe.Pond()], ['ABY3', () => new tfe.protocols.ABY3()]] as const) {
  test(`${name}: a uniform constant is a fill, any other an upload, with the same values`, async () => {
    setConfig(new LocalConfig(['server0', 'server1', 'server2'], { log: () => undefined }));
    tfe.setProtocol(make());
    const p = tfe.getProtocol();
    const ops: string[] = [];
    const rt = getRuntime() as unknown as { observer?: { batch?: (player: string, b: readonly Instruction[]) => void } };
    rt.observer = { batch: (_player, b) => { for (const i of b) if (i.op === 'fill' || i.op === 'upload') ops.push(i.op); } };
    const count = async (build: () => tfe.TfeTensor, want: number[]) => {
      ops.length = 0;
      const t = build();
      assert.equal(Array.from(await t.reveal()), want);
      return [ops.filter((o) => o === 'fill').length, ops.filter((o) => o === 'upload').length];
    };
    const servers = name === 'Pond' ? 2 : 3;
    assert.equal(await count(() => p.defineConstant(new Float64Array(6).fill(-1.25), { shape: [2, 3] }), new Array(6).fill(-1.25)), [servers, 0], 'uniform: one fill per server');
    assert.equal(await count(() => p.defineConstant(2.5), [2.5]), [servers, 0], 'scalar');
    assert.equal(await count(() => p.defineConstant([7, 7, 7], { integer: true }), [7, 7, 7]), [servers, 0], 'uniform integers');
    assert.equal(await count(() => p.defineConstant([0.5, 0.5, 0.75]), [0.5, 0.5, 0.75]), [0, servers], 'not uniform: uploads');
    assert.equal(await count(() => p.defineConstant(new Float64Array(0), { shape: [0, 4] }), []), [0, servers], 'empty');
    await getRuntime().close();
  });
}
test.run();
