/**
 * Simple average, the TF Encrypted classic: five input providers each contribute a private
 * vector; server0 and server1 average the vectors on secret shares (server2 deals the
 * randomness); only `result-receiver` learns the mean.
 *
 *   npx tsx examples/simple-average/run.ts                  # LocalConfig: all players here
 *   npx tsx examples/simple-average/run.ts config.json      # networked: players started with `tfe player`
 *
 * Networked, every inputter reads its vector from `inputter-<i>.json` in its data directory
 * (`tfe player ... --data-dir DIR`); `--write-demo-data DIR` writes five such files.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tfe from '../../src/index.js';
import '../../src/data/index.js';

export const INPUTTERS = ['inputter-0', 'inputter-1', 'inputter-2', 'inputter-3', 'inputter-4'];
export const LENGTH = 10;

/** The demo vector of inputter i: distinct, deterministic values in [-5, 5]. */
export function demoVector(i: number): number[] {
  return Array.from({ length: LENGTH }, (_, j) => Math.round(Math.sin(7 * i + 3 * j) * 5000) / 1000);
}

/**
 * Runs the secure average. With `networked`, inputs come from each inputter's `json` data
 * source and the mean is printed by `result-receiver`; otherwise from in-process providers,
 * and `receive` gets the mean on `result-receiver`.
 */
export async function simpleAverage(networked: boolean, receive?: (mean: Float64Array) => void): Promise<void> {
  const inputs = await Promise.all(INPUTTERS.map((name, i) =>
    networked
      ? tfe.definePrivateInput(name, { loader: 'json', args: { path: `${name}.json` }, shape: [LENGTH] })
      : tfe.definePrivateInput(name, () => demoVector(i))));
  const total = inputs.slice(1).reduce((acc, x) => tfe.add(acc, x), inputs[0]);
  const mean = tfe.div(total, INPUTTERS.length);
  await tfe.defineOutput('result-receiver', mean, networked ? undefined : (values) => receive?.(values));
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const demoDir = args.indexOf('--write-demo-data');
  if (demoDir >= 0) {
    const dir = args[demoDir + 1];
    mkdirSync(dir, { recursive: true });
    INPUTTERS.forEach((name, i) => writeFileSync(join(dir, `${name}.json`), JSON.stringify(demoVector(i))));
    console.log(`wrote ${INPUTTERS.length} input files to ${dir}`);
    return;
  }
  const configPath = args.find((a) => a.endsWith('.json'));
  if (configPath) tfe.setConfig(tfe.RemoteConfig.load(configPath));
  await simpleAverage(!!configPath, (mean) => {
    console.log(`result-receiver learned the mean: [${Array.from(mean, (v) => v.toFixed(4)).join(', ')}]`);
  });
  if (configPath) console.log('done: result-receiver printed the mean on its console');
  await tfe.getConfig().close?.();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then(() => process.exit(0), (e) => { console.error(e instanceof Error ? e.message : e); process.exit(1); });
}
