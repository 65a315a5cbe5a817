import { Act } from '../kernels.js';

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

/** erf by its Maclaurin series near 0 and the continued fraction of erfc further out (f64). */
function erf(x: number): number {
  const z = Math.abs(x);
  let r: number;
  if (z < 2.5) {
    let term = z;
    let sum = z;
    for (let n = 1; n < 60; n++) {
      term *= (-z * z) / n;
      sum += term / (2 * n + 1);
    }
    r = (2 / Math.sqrt(Math.PI)) * sum;
  } else {
    let f = 0;
    for (let n = 60; n >= 1; n--) f = (n / 2) / (z + f);
    r = 1 - Math.exp(-z * z) / Math.sqrt(Math.PI) / (z + f);
  }
  return x < 0 ? -r : r;
}

export function applyAct(v: number, act: Act, alpha: number): number {
  switch (act) {
    case Act.Relu: return v > 0 ? v : 0;
    case Act.Sigmoid: return 1 / (1 + Math.exp(-v));
    case Act.Tanh: return Math.tanh(v);
    case Act.LeakyRelu: return v >= 0 ? v : alpha * v;
    case Act.Elu: return v > 0 ? v : alpha * Math.expm1(v);
    case Act.Selu: return SELU_SCALE * (v > 0 ? v : SELU_ALPHA * Math.expm1(v));
    case Act.Softplus: return Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
    case Act.Softsign: return v / (1 + Math.abs(v));
    case Act.Swish: return v / (1 + Math.exp(-v));
    case Act.Gelu: return 0.5 * v * (1 + erf(v / Math.SQRT2));
    case Act.HardSigmoid: return Math.min(1, Math.max(0, alpha * v + 0.5));
    case Act.Relu6: return Math.min(6, Math.max(0, v));
    case Act.Exponential: return Math.exp(v);
    default: return v;
  }
}

export function fusable(act: Act): Act {
  return act === Act.Relu || act === Act.LeakyRelu ? act : Act.Linear;
}

