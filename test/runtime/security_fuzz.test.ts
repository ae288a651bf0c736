/** Issue 16: a small fuzz subset (the bench runs 10^5): a real player over ZeroMQ survives
 * 5,000 mutated messages, logs a bounded number of lines, and still serves an honest driver. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fuzzPlayer } from '../../bench/fuzz.js';

test('5,000 fuzzed messages: no crash, rate-limited logs, honest run still works', async () => {
  const r = await fuzzPlayer(5000, 7);
  assert.is(r.cases, 5000);
  assert.is(r.crashes, 0);
  // 20 lines a second at most, plus the start line and one summary a window.
  assert.ok(r.logLines < 5000 / 10, `log lines: ${r.logLines}`);
});

test.run();
