/**
 * Issue 16, finding 6, with real `tfe player` processes on 127.0.0.1: with the default
 * settings a stopped (SIGSTOP, not dead) player fails a waiting run with a
 * CommunicationError naming it (the driver's default timeout is 4.5 s, under 5 s); the other
 * player keeps answering, and after SIGCONT a new run works.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CommunicationError } from '../../src/errors.js';
import { U64 } from '../../src/kernels/index.js';
import { startLocalCluster } from '../../src/runtime/transport/zmq/local_cluster.js';

test('a SIGSTOPped player is reported by the default heartbeat timeout (4.5 s)', async () => {
  const cluster = await startLocalCluster(['server0', 'server1']);
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
