/** Activation codes; identical to `Act` in bindings/backend/kernels.ts. */
export const enum Act {
  Linear = 0,
  Relu = 1,
  Sigmoid = 2,
  Tanh = 3,
  LeakyRelu = 4, // uses `alpha` as the negative slope
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
