/**
 * Protocol-independent compositions that layers and models need, built only from the
 * Protocol interface: exp, softmax (max subtraction where an exact max exists), Newton
 * reciprocal and inverse square root, conv2d and pooling gradients. Each states its interval and error.
 *
 * @example
 * ```ts
 * import { softmax } from './protocols/generic/index.js';
 * const probs = softmax(tfe.getProtocol(), logits);
 * ```
 */
export { exp, expNonPositive, softmax, softmaxParts, type ExpOptions, type SoftmaxOptions, type SoftmaxParts } from './exp_softmax.js';
export { log, softplusApprox } from './log.js';
export { MAX_FOLDED_TERMS, scaleBy, scaledProduct, SCALED_PRODUCT_BITS, scaledSum, SCALED_SUM_BITS } from './scale.js';
export { polynomialOnInterval, publicTerm, type IntervalPolynomial } from './fit_eval.js';
export { pow, powers } from './powers.js';
export { fromRows, toRows } from './rows.js';
export { invSqrt, invSqrtPlan, reciprocal, reciprocalPlan, scaledReciprocal, type GenericNewtonPlan, type NewtonOptions } from './newton.js';
export { avgPool2dGrad, col2imSum, conv2dGrads, im2col, maxPool2dGrad, windowGeometry, type WindowGeometry } from './conv_grad.js';
