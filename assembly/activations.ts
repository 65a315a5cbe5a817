/** Activation codes; identical to `Act` in bindings/backend/kernels.ts. */
export const enum Act {
  Linear = 0,
  Relu = 1,
  Sigmoid = 2,
  Tanh = 3,
  LeakyRelu = 4, // uses `alpha` as the negative slope
  Elu = 5, // alpha·expm1(x) below 0
  Selu = 6,
  Softplus = 7,
  Softsign = 8,
  Swish = 9, // also called silu
  Gelu = 10, // exact form with erf (Keras's default, approximate=False)
  HardSigmoid = 11, // clip(alpha·x + 0.5, 0, 1): alpha 1/6 in Keras 3, 0.2 in Keras 2
  Relu6 = 12,
  Exponential = 13,
}

/** Scalar epilogue for the fusable acts; any other code passes through as linear. */
// @ts-ignore: decorator
@inline export function actScalar(x: f32, act: i32, alpha: f32): f32 {
  if (act == Act.Relu) return x < 0 ? <f32>0 : x; // same lane rule as f32x4.pmax(x, 0)
  if (act == Act.LeakyRelu) return x >= 0 ? x : alpha * x;
  return x;
}

/** Logistic sigmoid 1/(1+exp(-x)); exp only ever sees -|x|, so it cannot overflow. */
// @ts-ignore: decorator
@inline export function sigmoid(x: f32): f32 {
  const e = Mathf.exp(-Mathf.abs(x));
  return x >= 0 ? <f32>1 / (<f32>1 + e) : e / (<f32>1 + e);
}

/** Hyperbolic tangent; the std implementation saturates to ±1 for large |x|. */
// @ts-ignore: decorator
@inline export function tanh(x: f32): f32 {
  return Mathf.tanh(x);
}

const SELU_ALPHA: f32 = 1.6732632423543772;
const SELU_SCALE: f32 = 1.0507009873554805;

/** erf(x) from erfc's Chebyshev fit (Numerical Recipes erfcc, relative error < 1.2e-7). */
// @ts-ignore: decorator
@inline function erf(x: f32): f32 {
  const z = Mathf.abs(x);
  const t: f32 = <f32>1 / (<f32>1 + <f32>0.5 * z);
  const poly: f32 = -z * z - <f32>1.26551223 + t * (<f32>1.00002368 + t * (<f32>0.37409196 + t * (<f32>0.09678418 +
    t * (<f32>-0.18628806 + t * (<f32>0.27886807 + t * (<f32>-1.13520398 + t * (<f32>1.48851587 +
    t * (<f32>-0.82215223 + t * <f32>0.17087277))))))));
  const r: f32 = <f32>1 - t * Mathf.exp(poly);
  return x >= 0 ? r : -r;
}

/** Every activation code on one value (the non-fusable ones need exp, log or erf). */
export function actFull(x: f32, act: i32, alpha: f32): f32 {
  switch (act) {
    case Act.Relu: return x < 0 ? <f32>0 : x;
    case Act.Sigmoid: return sigmoid(x);
    case Act.Tanh: return tanh(x);
    case Act.LeakyRelu: return x >= 0 ? x : alpha * x;
    // expm1, not exp(x) - 1: near 0 the difference loses every digit (Keras uses expm1 too)
    case Act.Elu: return x > 0 ? x : alpha * Mathf.expm1(x);
    case Act.Selu: return SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Mathf.expm1(x));
    case Act.Softplus: return (x > 0 ? x : <f32>0) + <f32>Math.log1p(<f64>Mathf.exp(-Mathf.abs(x)));
    case Act.Softsign: return x / (<f32>1 + Mathf.abs(x));
    case Act.Swish: return x * sigmoid(x);
    case Act.Gelu: return <f32>0.5 * x * (<f32>1 + erf(x * <f32>0.70710678118654752));
    case Act.HardSigmoid: return Mathf.min(<f32>1, Mathf.max(<f32>0, alpha * x + <f32>0.5));
    case Act.Relu6: return Mathf.min(<f32>6, Mathf.max(<f32>0, x));
    case Act.Exponential: return Mathf.exp(x);
    default: return x;
  }
}
