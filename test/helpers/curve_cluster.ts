/**
 * Real `tfe player` processes with CURVE keys: a fresh key pair for every player and for the
 * `master` driver, the config's entries carrying the public keys, each player given its secret
 * key through `TFE_CURVE_SECRET_KEY`, and the cluster's driver using the master's.
 *
 * @example
 * ```ts
 * const { cluster, keys } = await startCurveCluster(['server0', 'server1'], { timeoutMs: 3000 });
 * ```
 */
import * as zmq from 'zeromq';
import { startLocalCluster, type LocalCluster, type LocalClusterArgs } from '../../src/runtime/transport/zmq/local_cluster.js';

/** A running CURVE cluster and every key pair it uses (players and `master`). */
export interface CurveCluster { cluster: LocalCluster; keys: Record<string, { publicKey: string; secretKey: string }> }

/** Starts `names` with CURVE keys; `args` adds timeouts and other cluster options. */
export async function startCurveCluster(names: string[], args: LocalClusterArgs = {}): Promise<CurveCluster> {
  const keys = Object.fromEntries([...names, 'master'].map((n) => [n, zmq.curveKeyPair()]));
  const cluster = await startLocalCluster(names, {
    entry: (name, address) => ({ address, curvePublicKey: keys[name].publicKey }),
    playerEnv: (name) => ({ TFE_CURVE_SECRET_KEY: keys[name].secretKey }),
    curveSecretKey: keys.master.secretKey,
    ...args,
  });
  return { cluster, keys };
}
