import { ValueError } from '../errors.js';
import { decodeFixed } from '../kernels/fixed_point.js';
import { registerSink } from '../runtime/player/data_sources.js';

/**
 * Output sink `print`: `{fracBits, label?}` decodes a tensor delivered to this player (its
 * own output, e.g. the result receiver's) and prints the values on the player's console. Only
 * the receiving player sees them; nothing goes back to the driver.
 *
 * @example
 * ```ts
 * await tfe.defineOutput('result-receiver', mean); // networked: printed by that player
 * ```
 */
export function formatOutput(values: Float64Array, shape: readonly number[], label?: string): string {
  const shown = Array.from(values.subarray(0, 20), (v) => +v.toFixed(6)).join(', ');
  const more = values.length > 20 ? `, … (${values.length} values)` : '';
  return `${label ?? 'output'} shape=[${shape.join(',')}]: [${shown}${more}]`;
}

registerSink('print', (t, args, ctx) => {
  const { fracBits = 16, label } = args as { fracBits?: unknown; label?: unknown };
  if (!Number.isInteger(fracBits)) throw new ValueError('print sink: `fracBits` must be an integer');
  const text = formatOutput(decodeFixed(t, { fracBits: fracBits as number }), t.shape, typeof label === 'string' ? label : undefined);
  console.log(`[${ctx.player}] ${text}`);
});
