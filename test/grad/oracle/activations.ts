/**
 * Float64 activations and their derivatives as TensorFlow computes them (Keras 3, TF backend):
 * ../shared/conformance/SEMANTICS.md §5, ../shared/training/SEMANTICS.md §4.2, and the TF kernels'
 * conventions at the kinks (tensorflow/core/kernels/relu_op_functor.h): ReluGrad passes where
 * x > 0, LeakyReluGrad uses the slope where x ≤ 0, EluGrad / SeluGrad take the negative branch
 * only where the OUTPUT is < 0 (so selu'(0) = scale, elu'(0) = 1), Relu6Grad passes on (0, 6).
 */

export const SELU_SCALE = 1.0507009873554804934193349852946;
export const SELU_ALPHA = 1.6732632423543772848170429916717;

export interface Elementwise {
  f(x: number): number;
  /** f'(x), with TF's value at the kinks. */
  df(x: number): number;
  /** Points where f' jumps (finite differences are not taken across them). */
  kinks: readonly number[];
}

function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/**
 * erf in float64 from the all-positive series erf(x) = 2/√π · e^(−x²) · Σ 2ⁿ x^(2n+1) / (1·3·…·(2n+1))
 * (no cancellation) for |x| < 5, and 1 beyond (erfc(5) ≈ 1.5e-12, below what the tests resolve).
 */
export function erf(x: number): number {
  const z = Math.abs(x);
  if (z >= 5) return Math.sign(x);
  let term = z;
  let sum = z;
  for (let n = 1; n < 200; n++) {
    term *= (2 * z * z) / (2 * n + 1);
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  const r = (2 / Math.sqrt(Math.PI)) * Math.exp(-z * z) * sum;
  return x < 0 ? -r : r;
}

const normalPdf = (x: number) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);

/** The elementwise activations, by Keras name; `leaky_relu` / `elu` take their constant. */
export function elementwise(name: string, alpha?: number): Elementwise {
  switch (name) {
    case 'linear': return { f: (x) => x, df: () => 1, kinks: [] };
    case 'relu': return { f: (x) => Math.max(x, 0), df: (x) => (x > 0 ? 1 : 0), kinks: [0] };
    case 'leaky_relu': {
      const a = alpha ?? 0.2;
      return { f: (x) => (x >= 0 ? x : a * x), df: (x) => (x > 0 ? 1 : a), kinks: [0] };
    }
    case 'sigmoid': return { f: sigmoid, df: (x) => sigmoid(x) * (1 - sigmoid(x)), kinks: [] };
    case 'tanh': return { f: Math.tanh, df: (x) => 1 - Math.tanh(x) ** 2, kinks: [] };
    case 'elu': {
      // Keras 3 TF: tf.nn.elu, and tf.where(x > 0, res, alpha·res) when alpha ≠ 1
      const a = alpha ?? 1;
      return { f: (x) => (x > 0 ? x : a * Math.expm1(x)), df: (x) => (x > 0 ? 1 : a * Math.exp(x)), kinks: a === 1 ? [] : [0] };
    }
    case 'selu':
      return {
        f: (x) => (x < 0 ? SELU_SCALE * SELU_ALPHA * Math.expm1(x) : SELU_SCALE * x),
        df: (x) => (x < 0 ? SELU_SCALE * SELU_ALPHA * Math.exp(x) : SELU_SCALE),
        kinks: [0],
      };
    case 'softplus': return { f: (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))), df: sigmoid, kinks: [] };
    case 'softsign': return { f: (x) => x / (1 + Math.abs(x)), df: (x) => 1 / (1 + Math.abs(x)) ** 2, kinks: [] };
    case 'swish':
    case 'silu': return { f: (x) => x * sigmoid(x), df: (x) => sigmoid(x) + x * sigmoid(x) * (1 - sigmoid(x)), kinks: [] };
    // keras.activations.gelu: approximate=False, x·Φ(x)
    case 'gelu': return { f: (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)), df: (x) => 0.5 * (1 + erf(x / Math.SQRT2)) + x * normalPdf(x), kinks: [] };
    // Keras 3 TF: relu6(x + 3) / 6
    case 'hard_sigmoid': return { f: (x) => Math.min(Math.max(x + 3, 0), 6) / 6, df: (x) => (x + 3 > 0 && x + 3 < 6 ? 1 / 6 : 0), kinks: [-3, 3] };
    case 'relu6': return { f: (x) => Math.min(Math.max(x, 0), 6), df: (x) => (x > 0 && x < 6 ? 1 : 0), kinks: [0, 6] };
    case 'exponential': return { f: Math.exp, df: Math.exp, kinks: [] };
    default: throw new Error(`oracle: no elementwise activation '${name}'`);
  }
}

/**
 * Keras 3's ReLU layer (keras/src/activations/activations.py :: ReLU.static_call) as TF
 * differentiates it: leaky_relu when only a slope is given; else relu (relu6 when max_value is 6
 * and there is no threshold) or x·(x > threshold), clipped to [0, max_value] by clip_by_value
 * (whose gradient passes on the closed interval), minus slope·relu(threshold − x).
 */
export function reluLayer(maxValue: number | null, slope: number, threshold: number): Elementwise {
  if (slope !== 0 && maxValue === null && threshold === 0) return elementwise('leaky_relu', slope);
  const relu6 = threshold === 0 && maxValue === 6;
  const clip = maxValue !== null && !relu6;
  const core = (x: number) => (threshold !== 0 ? (x > threshold ? x : 0) : relu6 ? Math.min(Math.max(x, 0), 6) : Math.max(x, 0));
  const dcore = (x: number) => (threshold !== 0 ? (x > threshold ? 1 : 0) : relu6 ? (x > 0 && x < 6 ? 1 : 0) : (x > 0 ? 1 : 0));
  const f = (x: number) => {
    let y = core(x);
    if (clip) y = Math.min(Math.max(y, 0), maxValue!);
    return slope !== 0 ? y - slope * Math.max(threshold - x, 0) : y;
  };
  const df = (x: number) => {
    let d = dcore(x);
    if (clip) {
      const a = core(x);
      d = a >= 0 && a <= maxValue! ? d : 0;
    }
    return slope !== 0 ? d + (threshold - x > 0 ? slope : 0) : d;
  };
  const kinks = [threshold, ...(maxValue !== null ? [maxValue] : [])];
  return { f, df, kinks };
}

/** softmax over rows of C, in place into `out`. */
export function softmaxRows(x: Float64Array, C: number, out: Float64Array): void {
  for (let r = 0; r < x.length; r += C) {
    let m = -Infinity;
    for (let c = 0; c < C; c++) m = Math.max(m, x[r + c]);
    let s = 0;
    for (let c = 0; c < C; c++) s += Math.exp(x[r + c] - m);
    for (let c = 0; c < C; c++) out[r + c] = Math.exp(x[r + c] - m) / s;
  }
}
