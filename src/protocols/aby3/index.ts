/**
 * ABY3: three-party replicated sharing (Mohassel and Rindal, CCS 2018).
 * @example
 * ```ts
 * import { ABY3 } from './aby3/index.js';
 * tfe.setProtocol(new ABY3());
 * ```
 */
export { ABY3, type ABY3Args } from './aby3.js';
export { ABY3BooleanTensor, ABY3PrivateTensor, ABY3PrivateVariable, ABY3PublicTensor, ABY3PublicVariable } from './aby3_tensors.js';
export { ABY3_SIGMOID } from './functions.js';
export { TRUNCATION_BOUND } from './truncate.js';
