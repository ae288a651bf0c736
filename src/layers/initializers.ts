/**
 * Weight initializers. Initial weights are public random values drawn on the driver by
 * tfjs's initializers (seeded from the driver's randomness, `src/random.ts`: node:crypto, or the
 * `tfe.setRandomSeed` stream; or the caller's own seed), then
 * secret-shared on the servers (DESIGN.md §4: no non-cryptographic generator touches secret data; the
 * initial values are not secret, every later value is).
 */
import '../tfjs_env.js'; // quiet tfjs (PROD mode) before it is used
import * as tf from '@tensorflow/tfjs';
import { ValueError } from '../errors.js';
import { driverRandomInt } from '../random.js';

/** An initializer: a tfjs identifier (`glorotUniform`, `zeros`, ...), `{className, config}`, or a tfjs Initializer. */
export type InitializerSpec = string | { className: string; config?: Record<string, unknown> } | { apply(shape: number[]): tf.Tensor };

const NAMES: Record<string, keyof typeof tf.initializers> = {
  zeros: 'zeros', ones: 'ones', constant: 'constant', glorotuniform: 'glorotUniform', glorotnormal: 'glorotNormal',
  heuniform: 'heUniform', henormal: 'heNormal', lecununiform: 'leCunUniform', lecunnormal: 'leCunNormal',
  randomuniform: 'randomUniform', randomnormal: 'randomNormal', truncatednormal: 'truncatedNormal',
  varianceScaling: 'varianceScaling', variancescaling: 'varianceScaling', orthogonal: 'orthogonal', identity: 'identity',
};

const SEEDED = new Set(['glorotUniform', 'glorotNormal', 'heUniform', 'heNormal', 'leCunUniform', 'leCunNormal', 'randomUniform', 'randomNormal', 'truncatedNormal', 'varianceScaling', 'orthogonal']);

/**
 * Draws the initial values of a weight on the driver.
 * @example
 * ```ts
 * initialValues('glorotUniform', [784, 128]); // Float64Array(100352)
 * ```
 */
export function initialValues(spec: InitializerSpec, shape: number[], what = 'initializer'): Float64Array {
  let init: { apply(shape: number[]): tf.Tensor };
  if (typeof spec === 'string' || (spec && typeof spec === 'object' && 'className' in spec)) {
    const raw = typeof spec === 'string' ? spec : spec.className;
    const key = NAMES[raw.replace(/_/g, '').toLowerCase()] ?? NAMES[raw];
    if (!key) throw new ValueError(`\`${what}\` must be a tfjs initializer name such as 'glorotUniform', got '${raw}'`);
    const config: Record<string, unknown> = { ...(typeof spec === 'object' ? spec.config ?? {} : {}) };
    if (SEEDED.has(key) && config.seed === undefined) config.seed = driverRandomInt(2 ** 31);
    init = (tf.initializers[key] as (c: unknown) => { apply(shape: number[]): tf.Tensor })(config);
  } else if (spec && typeof (spec as { apply?: unknown }).apply === 'function') {
    init = spec as { apply(shape: number[]): tf.Tensor };
  } else {
    throw new ValueError(`\`${what}\` must be an initializer name, {className, config} or a tfjs Initializer`);
  }
  const t = init.apply(shape);
  const values = Float64Array.from(t.dataSync());
  t.dispose();
  return values;
}

/**
 * The serialisable form of an initializer spec.
 * @example
 * ```ts
 * serializeInitializer('glorotUniform'); // { className: 'GlorotUniform', config: {} }
 * ```
 */
export function serializeInitializer(spec: InitializerSpec): unknown {
  if (typeof spec === 'string') return { className: spec.charAt(0).toUpperCase() + spec.slice(1), config: {} };
  if (spec && 'className' in spec) return spec;
  const s = spec as { getClassName?: () => string; getConfig?: () => unknown };
  return { className: s.getClassName?.() ?? 'Initializer', config: s.getConfig?.() ?? {} };
}
