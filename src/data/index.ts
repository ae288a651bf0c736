/**
 * Data sources and output sinks that players load and deliver on their own machine
 * (DESIGN.md §8). Importing this module registers them with the player runtime.
 * @example
 * ```ts
 * import 'tfe-js/src/data/index.js';
 * ```
 */
import './json_loader.js';
import './csv_loader.js';
import './arrow_loader.js';
import './idx_loader.js';
import './print_sink.js';
import './tfjs_model_loader.js';

export { loadJsonNumbers } from './json_loader.js';
export { formatOutput } from './print_sink.js';
export { readModelFiles } from './tfjs_model_loader.js';
export { csv, readCsv, type CsvOptions } from './csv_loader.js';
export { arrow, readArrow, streamArrow, type TableBatch } from './arrow_loader.js';
export { idx, readIdx, parseIdx, type IdxOptions } from './idx_loader.js';
export { psiIntersect, PSI_ELEMENT_BYTES, type PsiResult } from './psi.js';
export { memoryChannels, socketChannel, type PsiChannel } from './psi_channel.js';
export type { TableOptions, NumericTable } from './table.js';
export { Dataset, PrivateRows, generator, rows, tableBatches } from './dataset.js';
