/**
 * Keras activation names (keras.activations) → the kernel code and constant that compute them.
 * Layers resolve their `activation` argument here; ops/activation.ts turns a spec into steps.
 */
import { Act } from './backend/kernels.js';
import { ConfigError } from './errors.js';
import { showValue } from './show.js';

/** The activation names upconv computes (Keras 3's built-ins, plus Keras 2's hard_sigmoid). */
export type ActivationName =
  | 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'leaky_relu' | 'elu' | 'selu' | 'softplus' | 'softsign'
  | 'swish' | 'silu' | 'gelu' | 'hard_sigmoid' | 'hard_sigmoid_keras2' | 'relu6' | 'exponential' | 'softmax';

export interface ActivationSpec {
  readonly name: ActivationName;
  readonly act: Act;
  readonly alpha: number;
  /** softmax normalises over the last axis, so it is a row kernel, not an elementwise code. */
  readonly softmax: boolean;
  /** Keras ReLU with max_value / threshold: its own kernel (slope in `alpha`). */
  readonly clip?: { readonly max: number; readonly threshold: number };
}

const ACTIVATIONS = new Map<string, { act: Act; alpha: number }>([
  ['linear', { act: Act.Linear, alpha: 0 }],
  ['relu', { act: Act.Relu, alpha: 0 }],
  ['sigmoid', { act: Act.Sigmoid, alpha: 0 }],
  ['tanh', { act: Act.Tanh, alpha: 0 }],
  // Keras 3 keras.activations.leaky_relu: negative_slope defaults to 0.2
  ['leaky_relu', { act: Act.LeakyRelu, alpha: 0.2 }],
  ['elu', { act: Act.Elu, alpha: 1 }],
  ['selu', { act: Act.Selu, alpha: 0 }],
  ['softplus', { act: Act.Softplus, alpha: 0 }],
  ['softsign', { act: Act.Softsign, alpha: 0 }],
  ['swish', { act: Act.Swish, alpha: 0 }],
  ['silu', { act: Act.Swish, alpha: 0 }],
  ['gelu', { act: Act.Gelu, alpha: 0 }],
  // Keras 3: relu6(x + 3) / 6 = clip(x/6 + 0.5, 0, 1); Keras 2 used clip(0.2x + 0.5, 0, 1)
  ['hard_sigmoid', { act: Act.HardSigmoid, alpha: 1 / 6 }],
  // Keras 2's hard_sigmoid under its own name, so a model keeps its meaning through toJSON;
  // the config reader maps 'hard_sigmoid' of Keras 1/2 files to it
  ['hard_sigmoid_keras2', { act: Act.HardSigmoid, alpha: 0.2 }],
  ['relu6', { act: Act.Relu6, alpha: 0 }],
  ['exponential', { act: Act.Exponential, alpha: 0 }],
  ['softmax', { act: Act.Linear, alpha: 0 }],
]);

/** Every name `resolveActivation` accepts. */
export const ACTIVATION_NAMES: readonly string[] = [...ACTIVATIONS.keys()];

function describe(value: unknown): string {
  if (typeof value === 'function') return `a function (${value.name || 'anonymous'}); pass an activation name such as 'relu'`;
  if (typeof value === 'string') return `'${value}'`;
  try {
    return showValue(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Resolves a Keras activation name (null/undefined → linear); anything else throws naming `where`. */
export function resolveActivation(name: unknown, where: string): ActivationSpec {
  if (name === undefined || name === null) return { name: 'linear', act: Act.Linear, alpha: 0, softmax: false };
  const spec = typeof name === 'string' ? ACTIVATIONS.get(name) : undefined;
  if (!spec) {
    const what = typeof name === 'string' ? `unknown activation ${describe(name)}` : `activation must be a name, got ${describe(name)}`;
    throw new ConfigError(`${where}: ${what} (supported: ${ACTIVATION_NAMES.join(', ')})`);
  }
  return { name: name as ActivationName, act: spec.act, alpha: spec.alpha, softmax: name === 'softmax' };
}
