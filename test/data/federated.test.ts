/**
 * The federated-learning example end to end on reduced sizes (LocalConfig): three data owners'
 * gradients are secret-shared and averaged, only the mean reaches the model owner, and the
 * validation accuracy per round follows plaintext federated averaging (the mean gradient is
 * exact up to fixed-point rounding, 2^-16 per value, so the accuracies agree closely).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { federatedLearning } from '../../examples/federated-learning/run.js';
import { withConfig } from '../helpers/configs.js';

test('secure federated averaging follows plaintext averaging, round by round', async () => {
  const opts = { rounds: 3, perOwner: 100, validation: 300, learningRate: 0.5, log: () => undefined };
  const plain = await federatedLearning({ ...opts, plaintext: true });
  let secure: number[] = [];
  await withConfig('local', async () => { secure = await federatedLearning(opts); },
    { players: ['server0', 'server1', 'server2', 'model-owner', 'data-owner-0', 'data-owner-1', 'data-owner-2'] });
  assert.is(secure.length, 3);
  secure.forEach((a, r) => assert.ok(Math.abs(a - plain[r]!) <= 0.02, `round ${r + 1}: ${a} vs plaintext ${plain[r]}`));
  assert.ok(secure[2]! > 0.5 && secure[2]! >= secure[0]! - 0.02, `accuracy ${secure}`);
});

test.run();
