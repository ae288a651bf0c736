/**
 * tfe-js: TF Encrypted for TypeScript and Node.js. The public API, `tfe.*`.
 *
 * @example
 * ```ts
 * import * as tfe from 'tfe-js';
 * const x = await tfe.definePrivateInput('input-provider', () => [1, 2, 3]);
 * const y = tfe.mul(x, 2);
 * console.log(await y.reveal()); // Float64Array [2, 4, 6]
 * ```
 */
import './tfjs_env.js'; // first: quiet tfjs before any module uses it
export { TfeError, ValueError, NotImplementedError, ProtocolError, PolicyError, CommunicationError } from './errors.js';
export * as kernels from './kernels/index.js';
export { ring, setBackend, getBackend, availableBackends } from './kernels/index.js';
export * from './runtime/index.js';
export * from './protocols/index.js';
export * as protocols from './protocols/index.js';
export * as layers from './layers/index.js';
export { sequential, Sequential, Callback, train, models } from './models/index.js';
export type { CustomCallbackArgs, History, Logs, ModelCompileArgs, ModelFitArgs, SequentialArgs } from './models/index.js';
export { callbacks } from './models/index.js';
export * as data from './data/index.js';
export { eventsDirectory, setEvents, setTrace, tag, traceDirectory } from './observability/index.js';
export * as serving from './serving/index.js';
