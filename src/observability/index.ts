/**
 * Seeing what happened: `TFE_TRACE` Chrome/Perfetto traces (trace.ts, run_tracer.ts) and
 * `TFE_EVENTS` TensorBoard event files (events.ts). Both write under the working directory by
 * default, print their path once, and hold names, shapes, counts and timings only.
 *
 * @example
 * ```ts
 * tfe.setTrace('traces');   // or TFE_TRACE=1
 * tfe.setEvents('logs');    // or TFE_EVENTS=1
 * ```
 */
import { setEvents } from './events.js';
import { setTrace } from './run_tracer.js';

export { setTrace, tag, traceDirectory } from './run_tracer.js';
export { EventWriter, eventsDirectory, setEvents, tensorBoard } from './events.js';

/**
 * The trace directory asked for by the environment: `TFE_TRACE=1` (or any value but `0`) gives
 * `$TFE_TRACE_DIR` or `tfe-traces`; otherwise undefined.
 * @example
 * ```ts
 * const dir = envTraceDir();
 * ```
 */
export function envTraceDir(): string | undefined {
  const v = process.env.TFE_TRACE;
  if (!v || v === '0') return undefined;
  return process.env.TFE_TRACE_DIR ?? 'tfe-traces';
}

const fromEnv = envTraceDir();
if (fromEnv) setTrace(fromEnv);
if (process.env.TFE_EVENTS && process.env.TFE_EVENTS !== '0') setEvents(process.env.TFE_EVENTS_DIR ?? 'tfe-events');
