/**
 * What the table loaders (CSV, Arrow) share: their options, the numeric matrix they produce,
 * column selection, missing-value policy and row alignment by ID. Error messages name the
 * file, row and column and the kind of problem, never a cell's contents (DESIGN.md §8).
 */
import { readFileSync } from 'node:fs';
import { ValueError } from '../errors.js';
import type { DataContext } from '../runtime/player/data_sources.js';

/**
 * Options of `tfe.data.csv` and `tfe.data.arrow`.
 * @example
 * ```ts
 * const opts: tfe.data.TableOptions = { columns: ['x0', 'x1'], idColumn: 'id' };
 * ```
 */
export interface TableOptions {
  /** Feature columns, by name (or 0-based index for a headerless CSV); default: all but `idColumn`. */
  columns?: (string | number)[];
  /** The column holding each row's entity ID (read as text, never encoded). */
  idColumn?: string | number;
  /** Value used for missing cells; without it a missing cell is a ValueError. */
  fillNa?: number;
  /** Keep only these IDs, in this order (the agreed PSI order); needs `idColumn`. */
  ids?: string[];
  /** Loader only: a JSON file of IDs on the owner's machine, used as `ids`. */
  idsFile?: string;
}

/**
 * A loaded table: row-major features plus the row IDs when an ID column was named.
 * @example
 * ```ts
 * const t: tfe.data.NumericTable = { columns: ['x'], rows: 2, values: Float64Array.of(1, 2) };
 * ```
 */
export interface NumericTable {
  values: Float64Array;
  rows: number;
  columns: string[];
  ids?: string[];
}

/**
 * Resolves `wanted` against `names` to column indices, naming the file and the unknown column.
 * @example
 * ```ts
 * pickColumns('a.csv', ['id', 'x', 'y'], ['y'], 'id'); // { feature: [2], id: 0 }
 * ```
 */
export function pickColumns(file: string, names: readonly string[], wanted: TableOptions['columns'], idColumn?: string | number): { feature: number[]; id?: number } {
  const find = (c: string | number, role: string): number => {
    const i = typeof c === 'number' ? (Number.isInteger(c) && c >= 0 && c < names.length ? c : -1) : names.indexOf(c);
    if (i < 0) throw new ValueError(`\`${file}\`: unknown ${role} column \`${String(c)}\` (the file has ${names.length} columns: ${names.join(', ')})`);
    return i;
  };
  const id = idColumn === undefined ? undefined : find(idColumn, 'ID');
  const feature = wanted === undefined ? names.map((_, i) => i).filter((i) => i !== id) : wanted.map((c) => find(c, 'feature'));
  if (feature.length === 0) throw new ValueError(`\`${file}\`: no feature columns selected`);
  return { feature, id };
}

/**
 * The value of a missing cell: `fillNa`, or a ValueError naming file, row and column.
 * @example
 * ```ts
 * missingValue('a.csv', 3, 'x', 0); // 0
 * ```
 */
export function missingValue(file: string, row: number, column: string, fillNa: number | undefined): number {
  if (fillNa === undefined) throw new ValueError(`\`${file}\` row ${row}, column \`${column}\`: missing value (pass \`fillNa\` to fill it)`);
  return fillNa;
}

/**
 * Keeps the rows whose ID is in `ids`, in that order; an ID absent from the table, or
 * present twice, is a ValueError naming its position (not the ID itself). The rows may be
 * float64 values or their fixed-point encoding.
 * @example
 * ```ts
 * alignRows('a.csv', table, ['7', '3']);
 * ```
 */
export function alignRows<V extends Float64Array | BigUint64Array>(file: string, t: { values: V; rows: number; columns: string[]; ids?: string[] }, ids: readonly string[]): { values: V; rows: number; columns: string[]; ids: string[] } {
  if (!t.ids) throw new ValueError(`\`${file}\`: \`ids\` needs \`idColumn\``);
  const where = new Map<string, number>();
  t.ids.forEach((id, r) => {
    if (where.has(id)) throw new ValueError(`\`${file}\` row ${r + 1}: duplicate ID (also on row ${where.get(id)! + 1})`);
    where.set(id, r);
  });
  const c = t.columns.length;
  const out = new (t.values.constructor as new (n: number) => V)(ids.length * c);
  ids.forEach((id, k) => {
    const r = where.get(String(id));
    if (r === undefined) throw new ValueError(`\`${file}\`: the ID at position ${k} of \`ids\` is not in the file`);
    (out as BigUint64Array).set((t.values as BigUint64Array).subarray(r * c, r * c + c), k * c);
  });
  return { values: out, rows: ids.length, columns: t.columns, ids: ids.map(String) };
}

/**
 * A growable Float64Array, so streamed tables are copied once per doubling.
 * @example
 * ```ts
 * const g = new Growable(); g.push(1.5); g.view(); // Float64Array [1.5]
 * ```
 */
export class Growable {
  private buf: Float64Array;
  length = 0;
  /** Room for `capacity` values before the first reallocation. */
  constructor(capacity = 1024) { this.buf = new Float64Array(Math.max(1, capacity)); }
  push(v: number): void {
    const at = this.reserve(1); // may replace this.buf: evaluate it first
    this.buf[at] = v;
  }
  /** Makes room for `n` more values and returns the offset where they go. */
  reserve(n: number): number {
    const need = this.length + n;
    if (need > this.buf.length) {
      const next = new Float64Array(Math.max(need, this.buf.length * 2));
      next.set(this.buf.subarray(0, this.length));
      this.buf = next;
    }
    const at = this.length;
    this.length = need;
    return at;
  }
  get raw(): Float64Array { return this.buf; }
  view(): Float64Array { return this.buf.subarray(0, this.length); }
}

/**
 * Validates the options shared by the table loaders (they arrive from the driver as JSON).
 * @example
 * ```ts
 * tableOptions('csv', { columns: ['x'] });
 * ```
 */
export function tableOptions(loader: string, args: Record<string, unknown>): TableOptions {
  const { columns, idColumn, fillNa } = args;
  let { ids } = args;
  const isCol = (c: unknown) => typeof c === 'string' || (Number.isInteger(c) && (c as number) >= 0);
  if (columns !== undefined && !(Array.isArray(columns) && columns.every(isCol))) throw new ValueError(`${loader} loader: \`columns\` must be an array of column names or indices`);
  if (idColumn !== undefined && !isCol(idColumn)) throw new ValueError(`${loader} loader: \`idColumn\` must be a column name or index`);
  if (fillNa !== undefined && (typeof fillNa !== 'number' || !Number.isFinite(fillNa))) throw new ValueError(`${loader} loader: \`fillNa\` must be a finite number`);
  if (ids !== undefined && !(Array.isArray(ids) && ids.every((x) => typeof x === 'string'))) throw new ValueError(`${loader} loader: \`ids\` must be an array of strings`);
  return { columns: columns as TableOptions['columns'], idColumn: idColumn as TableOptions['idColumn'], fillNa: fillNa as number | undefined, ids: ids as string[] | undefined };
}

/**
 * Table options from a loader's JSON args on the owner's player; `idsFile` (a JSON array of
 * IDs in the agreed order, written there by PSI) is read on that player, so the IDs never
 * pass through the driver.
 * @example
 * ```ts
 * const opts = loaderTableOptions('csv', { idColumn: 'id', idsFile: 'alice.ids.json' }, ctx);
 * ```
 */
export function loaderTableOptions(loader: string, args: Record<string, unknown>, ctx: DataContext): TableOptions {
  if (args.idsFile === undefined) return tableOptions(loader, args);
  if (typeof args.idsFile !== 'string') throw new ValueError(`${loader} loader: \`idsFile\` must be a path`);
  let ids: unknown;
  try { ids = JSON.parse(readFileSync(ctx.resolvePath(args.idsFile), 'utf8')); } catch (e) {
    throw new ValueError(`${loader} loader: cannot read \`idsFile\` \`${args.idsFile}\` as a JSON array (${(e as NodeJS.ErrnoException).code ?? 'invalid JSON'})`);
  }
  return tableOptions(loader, { ...args, ids });
}
