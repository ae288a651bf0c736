/**
 * A worker thread of the CSV loader: parses one byte range of a file (whole lines), by the
 * plain fast path or csv-parse (csv_plain.ts), and posts back its values (transferred, not
 * copied), IDs and row count, or the first bad record's relative row and message tail.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CsvRowError, type RecordPlan } from './csv_records.js';
import { readPart } from './csv_plain.js';

const { path, plan, delimiter, start, end } = workerData as { path: string; plan: RecordPlan; delimiter: string; start: number; end: number };
try {
  const part = await readPart(path, plan, delimiter, { start, end });
  parentPort!.postMessage({ part }, [part.values.buffer as ArrayBuffer]);
} catch (e) {
  if (e instanceof CsvRowError) parentPort!.postMessage({ row: e.row, tail: e.tail });
  else parentPort!.postMessage({ failure: (e as NodeJS.ErrnoException).code ?? 'parse error' });
}
