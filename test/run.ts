/**
 * The test runner behind `npm test`: runs every `test/**\/*.test.ts` file (uvu suites, through
 * tsx) in its own Node process, two at a time, and ends with one line
 * `N passed, N failed` (`, N skipped` when any), which CI reads.
 *
 * Usage: `npm test` or `npm test -- <substring>...` to run only files whose path contains one of
 * the substrings. A file that crashes or outlives `TFE_TEST_TIMEOUT_S` (default 600) counts as
 * one failure.
 */
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const timeoutMs = Number(process.env.TFE_TEST_TIMEOUT_S ?? 600) * 1000;
const parallel = Math.max(1, Math.min(Number(process.env.TFE_TEST_JOBS ?? cpus().length), 4));

function findTests(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'node_modules' ? [] : findTests(p);
    return name.endsWith('.test.ts') ? [p] : [];
  });
}

interface FileResult { file: string; passed: number; failed: number; skipped: number; output: string; ms: number }

const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

function runFile(file: string): Promise<FileResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    // uvu's summary is read from stdout alone, so stderr lines (tfjs's banner, player logs)
    // arriving between its writes cannot break it; both go to the shown output.
    let output = '';
    let stdout = '';
    child.stdout.on('data', (d) => { output += d; stdout += d; });
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => {
      output += `\n[runner] ${relative(root, file)} timed out after ${timeoutMs / 1000} s\n`;
      try { process.kill(-child.pid!, 'SIGKILL'); } catch { child.kill('SIGKILL'); }
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      // Kill anything the test file left running in its process group.
      try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* already gone */ }
      const text = stripAnsi(output);
      const totals = [...stripAnsi(stdout).matchAll(/Total:\s+(\d+)\s[\s\S]*?Passed:\s+(\d+)\s[\s\S]*?Skipped:\s+(\d+)/g)];
      let total = 0, passed = 0, skipped = 0;
      for (const m of totals) { total += +m[1]; passed += +m[2]; skipped += +m[3]; }
      let failed = total - passed; // uvu's total leaves skipped tests out
      if (code !== 0 && failed === 0) failed = 1; // crash, timeout, or failure outside a test
      if (totals.length === 0 && code === 0) failed = 1; // a test file that ran no suite
      resolve({ file, passed, failed, skipped, output: text, ms: Date.now() - started });
    });
  });
}

async function main(): Promise<void> {
  let files = findTests(join(root, 'test'));
  if (filters.length) files = files.filter((f) => filters.some((s) => relative(root, f).includes(s)));
  const results: FileResult[] = [];
  const queue = [...files];
  await Promise.all(Array.from({ length: parallel }, async () => {
    for (let f = queue.shift(); f; f = queue.shift()) {
      const r = await runFile(f);
      results.push(r);
      const status = r.failed ? 'FAIL' : 'ok  ';
      console.log(`${status} ${relative(root, f)}  (${r.passed} passed, ${r.failed} failed` +
        `${r.skipped ? `, ${r.skipped} skipped` : ''}; ${(r.ms / 1000).toFixed(1)} s)`);
      if (r.failed || process.env.TFE_TEST_VERBOSE) console.log(r.output.replace(/^/gm, '    '));
    }
  }));
  const sum = (k: 'passed' | 'failed' | 'skipped') => results.reduce((a, r) => a + r[k], 0);
  const skipped = sum('skipped');
  console.log(`${sum('passed')} passed, ${sum('failed')} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exitCode = sum('failed') ? 1 : 0;
}

main();
