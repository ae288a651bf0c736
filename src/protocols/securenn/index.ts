/**
 * SecureNN: Pond plus exact comparisons (Wagh, Gupta, Chandran, PETS 2019).
 * @example
 * ```ts
 * import { SecureNN } from './securenn/index.js';
 * tfe.setProtocol(new SecureNN());
 * ```
 */
export { SecureNN, DEFAULT_PRIME, type SecureNNArgs, type ActivationMode } from './securenn.js';
export { PIECEWISE_SIGMOID, PIECEWISE_TANH, piecewiseLinear, type PiecewiseLinear } from './piecewise.js';
export { privateCompare, observeHelperView, BIT_LENGTH, type PrivateCompareInputs } from './private_compare.js';
export { computeMsbCore, msbShares, msbSharesViaShareConvert } from './compute_msb.js';
export { shareConvert } from './share_convert.js';
export { msb, oneMinus, DEFAULT_CHUNK, type MsbProtocol } from './msb.js';
export { ODD_MODULUS, addOdd, subOdd, reduceOdd } from './odd_ring.js';
