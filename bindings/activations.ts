import { Act, isFusableAct, type Kernels } from './backend/kernels.js';
import { ConfigError } from './errors.js';
import type { Step } from './layers/layer.js';

export interface ActivationSpec {
  readonly name: string;
  readonly act: Act;
  readonly alpha: number;
  /** softmax normalises over the last axis, so it is a row kernel, not an elementwise code. */
  readonly softmax: boolean;
}

/** Keras activation names (keras.activations) → kernel code and constant. */
const ACTIVATIONS: Record<string, { act: Act; alpha: number }> = {
  linear: { act: Act.Linear, alpha: 0 },
  relu: { act: Act.Relu, alpha: 0 },
  sigmoid: { act: Act.Sigmoid, alpha: 0 },
  tanh: { act: Act.Tanh, alpha: 0 },
  // Keras 3 keras.activations.leaky_relu: negative_slope defaults to 0.2
  leaky_relu: { act: Act.LeakyRelu, alpha: 0.2 },
  elu: { act: Act.Elu, alpha: 1 },
  selu: { act: Act.Selu, alpha: 0 },
  softplus: { act: Act.Softplus, alpha: 0 },
  softsign: { act: Act.Softsign, alpha: 0 },
  swish: { act: Act.Swish, alpha: 0 },
  silu: { act: Act.Swish, alpha: 0 },
  gelu: { act: Act.Gelu, alpha: 0 },
  // Keras 3: relu6(x + 3) / 6 = clip(x/6 + 0.5, 0, 1); Keras 2 used clip(0.2x + 0.5, 0, 1)
  hard_sigmoid: { act: Act.HardSigmoid, alpha: 1 / 6 },
  // Keras 2's hard_sigmoid under its own name, so a model keeps its meaning through toJSON;
  // modelFromJSON and upconv/io map 'hard_sigmoid' of Keras 1/2 files to it
  hard_sigmoid_keras2: { act: Act.HardSigmoid, alpha: 0.2 },
  relu6: { act: Act.Relu6, alpha: 0 },
  exponential: { act: Act.Exponential, alpha: 0 },
  softmax: { act: Act.Linear, alpha: 0 },
};

/** Resolves a Keras activation name (null/undefined → linear); unknown names throw naming `where`. */
export function resolveActivation(name: unknown, where: string): ActivationSpec {
  if (name === undefined || name === null) return { name: 'linear', ...ACTIVATIONS.linear, softmax: false };
  if (typeof name !== 'string') throw new ConfigError(`${where}: activation must be a string, got ${JSON.stringify(name)}`);
  const spec = ACTIVATIONS[name];
  if (!spec) {
    throw new ConfigError(`${where}: unknown activation '${name}' (supported: ${Object.keys(ACTIVATIONS).join(', ')})`);
  }
  return { name, act: spec.act, alpha: spec.alpha, softmax: name === 'softmax' };
}

/** The code a GEMM or scale-shift epilogue applies itself (cheap activations), else Linear. */
export function epilogueAct(spec: ActivationSpec): Act {
  return !spec.softmax && isFusableAct(spec.act) ? spec.act : Act.Linear;
}

/** The separate pass a non-fusable activation needs over `count` values in rows of `lastDim`. */
export function activationPass(k: Kernels, ptr: number, count: number, lastDim: number, spec: ActivationSpec): Step[] {
  if (spec.softmax) {
    const rows = count / lastDim;
    return [() => k.softmax(ptr, ptr, rows, lastDim)];
  }
  if (spec.act === epilogueAct(spec)) return [];
  const { act, alpha } = spec;
  return [() => k.activation(ptr, ptr, count, act, alpha)];
}
