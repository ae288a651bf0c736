/**
 * The benchmark runner behind `npm run bench -- <suite> [--json]` (DESIGN.md §11). Each suite
 * is `bench/<suite>.ts`, exporting `run(): Promise<BenchResult[]>`. With `--json` the last
 * stdout line is `{"suite": "...", "results": [...]}`; without it, a table.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchResult } from './util.js';

const here = new URL('.', import.meta.url).pathname;
const args = process.argv.slice(2);
const json = args.includes('--json');
const suite = args.find((a) => !a.startsWith('--'));
const suites = readdirSync(here).filter((f) => f.endsWith('.ts') && !['run.ts', 'util.ts'].includes(f)).map((f) => f.slice(0, -3));

if (!suite || !existsSync(join(here, `${suite}.ts`))) {
  console.error(`usage: npm run bench -- <suite> [--json]; suites: ${suites.join(', ')}`);
  process.exit(2);
}

const mod = (await import(join(here, `${suite}.ts`))) as { run: () => Promise<BenchResult[]> };
const results = await mod.run();
if (json) {
  console.log(JSON.stringify({ suite, results }));
} else {
  for (const r of results) {
    const shown = Number.isFinite(r.value) ? `${String(+r.value.toPrecision(4)).padStart(12)} ${r.unit}` : `     skipped ${String(r.skipped ?? '')}`;
    console.log(`${r.name.padEnd(36)} ${shown}`);
  }
}
process.exit(0);
