/**
 * Issue 16, finding 6, with real `tfe player` processes on 127.0.0.1: with a 4.5 s timeout
 * (1 s heartbeats) a stopped (SIGSTOP, not dead) player fails a waiting run with a
 * CommunicationError naming it in under 5 s, and after SIGCONT a new run works. (The default
 * stays 30 s: 4.5 s gave a false alarm on a 64 MiB transfer on a heavily loaded machine.)
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CommunicationError } from '../../src/errors.js';
import { U64 } from '../../src/kernels/index.js';
import { startLocalCluster } from '../../src/runtime/transport/zmq/local_cluster.js';

test('a SIGSTOPped player is reported by a 4.5 s heartbeat timeout', async () => {
  const cluster = await startLocalCluster(['server0', 'server1'], { timeoutMs: 4500, heartbeatMs: 1000 });
  try {
    const rt = cluster.config.runtime();
    assert.equal([...(await rt.reveal(rt.fill('server1', [2], 3n, U64))).values()], [3n, 3n]);
    cluster.procs.get('server1')!.kill('SIGSTOP');
    const e = await rt.reveal(rt.fill('server1', [1], 1n, U64)).then(() => undefined, (x: Error) => x);
    assert.instance(e, CommunicationError);
    assert.match(e!.message, /`server1` at .* did not answer within 4500 ms/);
    cluster.procs.get('server1')!.kill('SIGCONT');
    const rt2 = cluster.config.runtime();
    assert.equal([...(await rt2.reveal(rt2.fill('server1', [2], 4n, U64))).values()], [4n, 4n]);
  } finally {
    await cluster.stop();
  }
});

test.run();
