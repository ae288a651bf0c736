/**
 * Argument checks shared by the approximation helpers. Each throws a `ValueError` that names
 * the argument in backticks and says what was expected and what was found.
 * @internal
 */
import { ValueError } from '../../errors.js';

/**
 * A closed real interval `[lo, hi]` with `lo < hi`.
 * @example `const interval: Interval = [-8, 8];`
 */
export type Interval = readonly [number, number];

/**
 * Checks that `value` is an integer in `[min, max]`.
 * @example
 * ```ts
 * checkInteger('degree', 9, 1, 30); // ok
 * checkInteger('degree', 0, 1, 30); // throws ValueError: `degree` must be an integer in [1, 30], got 0
 * ```
 */
export function checkInteger(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ValueError(`\`${name}\` must be an integer in [${min}, ${max}], got ${String(value)}`);
  }
  return value;
}

/**
 * Checks that `interval` is a pair of finite numbers with `lo < hi`, and returns a copy.
 * @example
 * ```ts
 * checkInterval('interval', [-8, 8]); // [-8, 8]
 * checkInterval('interval', [1, 1]);  // throws: `interval` must be non-empty ...
 * ```
 */
export function checkInterval(name: string, interval: unknown): [number, number] {
  if (!Array.isArray(interval) || interval.length !== 2) {
    throw new ValueError(`\`${name}\` must be a pair [lo, hi], got ${describe(interval)}`);
  }
  const [lo, hi] = interval as unknown[];
  if (typeof lo !== 'number' || typeof hi !== 'number' || !Number.isFinite(lo) || !Number.isFinite(hi)) {
    throw new ValueError(`\`${name}\` must hold two finite numbers, got [${String(lo)}, ${String(hi)}]`);
  }
  if (!(lo < hi)) {
    throw new ValueError(`\`${name}\` must be non-empty (lo < hi), got [${lo}, ${hi}]`);
  }
  return [lo, hi];
}

/**
 * Checks that `fn` is a function.
 * @example
 * ```ts
 * checkFunction('fn', Math.tanh); // ok
 * ```
 */
export function checkFunction(name: string, fn: unknown): (x: number) => number {
  if (typeof fn !== 'function') {
    throw new ValueError(`\`${name}\` must be a function (x: number) => number, got ${typeof fn}`);
  }
  return fn as (x: number) => number;
}

/**
 * Evaluates `fn(x)` and checks that the result is finite, naming the argument otherwise.
 * @example
 * ```ts
 * finiteValue('fn', Math.log, 1);  // 0
 * finiteValue('fn', Math.log, -1); // throws: `fn` returned NaN at x = -1
 * ```
 */
export function finiteValue(name: string, fn: (x: number) => number, x: number): number {
  const y = fn(x);
  if (typeof y !== 'number' || !Number.isFinite(y)) {
    throw new ValueError(`\`${name}\` must return a finite number on the interval, got ${String(y)} at x = ${x}`);
  }
  return y;
}

/**
 * Checks that `coefficients` is a non-empty array of finite numbers.
 * @example
 * ```ts
 * checkCoefficients('coefficients', new Float64Array([0, 1])); // ok
 * ```
 */
export function checkCoefficients(name: string, c: unknown): ArrayLike<number> {
  const ok = (Array.isArray(c) || c instanceof Float64Array) && (c as ArrayLike<number>).length > 0;
  if (!ok) throw new ValueError(`\`${name}\` must be a non-empty Float64Array or number[], got ${describe(c)}`);
  const arr = c as ArrayLike<number>;
  for (let k = 0; k < arr.length; k++) {
    if (typeof arr[k] !== 'number' || !Number.isFinite(arr[k])) {
      throw new ValueError(`\`${name}\`[${k}] must be a finite number, got ${String(arr[k])}`);
    }
  }
  return arr;
}

/**
 * Checks that `x` is a finite number.
 * @example
 * ```ts
 * checkFinite('t', 0.5); // 0.5
 * ```
 */
export function checkFinite(name: string, x: unknown): number {
  if (typeof x !== 'number' || !Number.isFinite(x)) {
    throw new ValueError(`\`${name}\` must be a finite number, got ${String(x)}`);
  }
  return x;
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (v === null) return 'null';
  return typeof v;
}
