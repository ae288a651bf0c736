/**
 * Protocol-independent approximation math (plain float64, no MPC): polynomial fits on an
 * interval in the normalised variable t = (x − mid)/half, their float and fixed-point error
 * bounds, the default activation approximations, Newton plans for 1/x and 1/√x, and linear
 * splines of convex functions (exp and the reciprocal for the small-tensor softmax).
 * Secure protocols (Pond, SecureNN, ABY3) evaluate what this module describes.
 *
 * @example
 * ```ts
 * import { DEFAULT_APPROXIMATIONS, powerPlan, evaluateFit } from './protocols/approximations/index.js';
 * const sig = DEFAULT_APPROXIMATIONS.sigmoid;
 * powerPlan(sig.degree, sig.parity).steps; // the products the secure side computes
 * evaluateFit(sig, 1.5);                   // the plaintext value it approximates
 * ```
 */
export {
  chebyshevFit, evaluateFit, evaluatePolynomial, maxErrorOnInterval,
  type ChebyshevFitOptions, type Construction, type FitMethod, type NodeKind, type Parity, type PolynomialFit,
} from './chebyshev_fit.js';
export { chebyshevNodes, chebyshevToMonomial } from './chebyshev_basis.js';
export { checkCoefficientBits, evaluationPlan, fixedPointError, powerPlan, type EvaluationPlan, type FixedPointErrorOptions, type PowerPlan, type PowerStep } from './fixed_point_error.js';
export {
  DEFAULT_APPROXIMATIONS, DEFAULT_APPROXIMATIONS as APPROXIMATIONS, defaultApproximation, type ApproximationName, type DefaultApproximation,
} from './defaults.js';
export { newtonInvSqrtPlan, newtonReciprocalPlan, type NewtonPlan, type NewtonPlanOptions } from './newton.js';
export {
  EXP_SPLINE_ERROR, expSpline, fitConvexSpline, minimaxLine, RECIPROCAL_SPLINE_ERROR, reciprocalSpline, type ConvexSplineOptions, type Spline,
} from './linear_spline.js';
export { SPLINES, SPLINE_MAX_ERROR } from './activation_splines.js';
