import { Act } from './backend/kernels.js';
import { ConfigError } from './errors.js';

/** Keras activation names upconv runs, with their kernel code and slope. */
const ACTIVATIONS: Record<string, { act: Act; alpha: number }> = {
  linear: { act: Act.Linear, alpha: 0 },
  relu: { act: Act.Relu, alpha: 0 },
  sigmoid: { act: Act.Sigmoid, alpha: 0 },
  tanh: { act: Act.Tanh, alpha: 0 },
  // Keras 3 keras.activations.leaky_relu: negative_slope defaults to 0.2
  leaky_relu: { act: Act.LeakyRelu, alpha: 0.2 },
};

export interface ActivationSpec {
  readonly name: string;
  readonly act: Act;
  readonly alpha: number;
}

/** Resolves a Keras activation name (null/undefined → linear); unknown names throw naming `where`. */
export function resolveActivation(name: unknown, where: string): ActivationSpec {
  if (name === undefined || name === null) return { name: 'linear', ...ACTIVATIONS.linear };
  if (typeof name !== 'string') throw new ConfigError(`${where}: activation must be a string, got ${JSON.stringify(name)}`);
  const spec = ACTIVATIONS[name];
  if (!spec) {
    throw new ConfigError(`${where}: unknown activation '${name}' (supported: ${Object.keys(ACTIVATIONS).join(', ')})`);
  }
  return { name, ...spec };
}
