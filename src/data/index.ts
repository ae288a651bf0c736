/**
 * Data sources and output sinks that players load and deliver on their own machine
 * (DESIGN.md §8). Importing this module registers them with the player runtime.
 * @example
 * ```ts
 * import 'tfe-js/src/data/index.js';
 * ```
 */
import './json_loader.js';
import './print_sink.js';
import './tfjs_model_loader.js';

export { loadJsonNumbers } from './json_loader.js';
export { formatOutput } from './print_sink.js';
export { readModelFiles } from './tfjs_model_loader.js';
