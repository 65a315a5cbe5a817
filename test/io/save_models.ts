/**
 * Models for the saveModel tests: a Sequential generator, a functional model with two inputs and
 * skip connections, and nested models (a Sequential and a Functional inside a Functional, the
 * Functional called twice, a frozen sublayer). Weights are seeded random values (variances
 * positive), so every weight differs from its initial value.
 */
import {
  BatchNormalization, Conv2D, Conv2DTranspose, CustomLayer, type CustomCall, Dense, DepthwiseConv2D, GroupNormalization, Input, InputLayer,
  LayerNormalization, LeakyReLU, Model, registerLayer, TFOpLambda, Reshape, SeparableConv2D, Sequential, tensor, type Tensor, UpSampling2D,
} from '../../bindings/index.js';
import type { Shape } from '../../bindings/shape_rules.js';
import { Rng } from '../util/rng.js';

/** Keras's Add (registered under its Keras name, so files with it load in upconv and in Keras). */
export class Add extends CustomLayer {
  constructor(config: { name?: string } = {}) {
    super('Add', { name: config.name });
  }

  computeOutputShape(inputShape: Shape | readonly Shape[]): Shape {
    return [...(inputShape as readonly Shape[])[0]];
  }

  call({ inputs, output }: CustomCall): void {
    output.set(inputs[0]);
    for (let k = 1; k < inputs.length; k++) for (let i = 0; i < output.length; i++) output[i] += inputs[k][i];
  }

  getConfig(): Record<string, unknown> {
    return this.baseConfig();
  }
}
registerLayer('Add', (c) => new Add({ name: c.name as string }));

/** Seeded weights for every layer (moving variances positive). */
export function randomize(model: Model, seed: number): void {
  const rng = new Rng(seed);
  model.setWeights(model.weightEntries().map(({ spec }) => {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const data = Float32Array.from({ length: n }, () => (spec.name === 'moving_variance' ? rng.uniform(0.5, 1.5) : rng.uniform(-0.6, 0.6)));
    return { shape: spec.shape, data };
  }));
}

export function sequentialModel(): Sequential {
  const m = new Sequential([
    new InputLayer({ batchInputShape: [null, 6] }),
    new Dense(2 * 2 * 4, { activation: 'relu' }),
    new Reshape([2, 2, 4]),
    new Conv2DTranspose(3, 3, { strides: 2, padding: 'same' }),
    new BatchNormalization(),
    new LeakyReLU({ negativeSlope: 0.2 }),
    new UpSampling2D({ size: 2 }),
    new Conv2D(1, 3, { padding: 'same', activation: 'tanh' }),
  ], { name: 'generator' });
  randomize(m, 1);
  return m;
}

/** The convolution and normalization layers beyond the tutorial's. */
export function convolutionsModel(): Sequential {
  const m = new Sequential([
    new InputLayer({ batchInputShape: [null, 5, 5, 4] }),
    new DepthwiseConv2D(3, { padding: 'same', depthMultiplier: 2 }),
    new SeparableConv2D(4, 3, { padding: 'valid', activation: 'relu' }),
    new LayerNormalization(),
    new GroupNormalization({ groups: 2 }),
  ], { name: 'convolutions' });
  randomize(m, 4);
  return m;
}

/** Two inputs (latent, condition), two skip connections through Add. */
export function functionalModel(): Model {
  const z = Input({ shape: [4], name: 'latent' });
  const c = Input({ shape: [6], name: 'condition' });
  const a = new Dense(6, { name: 'project' }).apply(z);
  const joined = new Add({ name: 'join' }).apply([a, c]);
  const h = new Dense(6, { activation: 'relu', name: 'hidden' }).apply(joined);
  const skip = new Add({ name: 'skip' }).apply([h, a]);
  const out = new Dense(3, { activation: 'sigmoid', name: 'head' }).apply(skip);
  const m = new Model({ inputs: [z, c], outputs: out, name: 'conditional' });
  randomize(m, 2);
  return m;
}

/** Input → Sequential → Functional (called twice: shared weights) → Dense, with a frozen BatchNormalization. */
export function nestedModel(): Model {
  const inner = new Sequential([
    new InputLayer({ batchInputShape: [null, 3] }),
    new Dense(5, { name: 'inner_dense' }),
    new BatchNormalization({ name: 'inner_bn' }),
    new LeakyReLU({ negativeSlope: 0.1, name: 'inner_act' }),
  ], { name: 'trunk' });
  (inner.layers[1] as BatchNormalization).trainable = false;
  const bx = Input({ shape: [5], name: 'block_in' });
  const block = new Model({ inputs: bx, outputs: new BatchNormalization({ name: 'block_bn' }).apply(new Dense(5, { activation: 'tanh', name: 'block_dense' }).apply(bx)), name: 'block' });
  const x = Input({ shape: [3], name: 'z' });
  const once = block.apply(inner.apply(x));
  const twice = block.apply(once);
  const m = new Model({ inputs: x, outputs: new Dense(2, { name: 'out' }).apply(twice), name: 'nested' });
  randomize(m, 3);
  return m;
}

/** A seeded batch for a model's inputs. */
export function inputsFor(model: Model, batch = 3, seed = 7): Tensor[] {
  const rng = new Rng(seed);
  return model.inputs.map((t) => {
    const dims = t.shape.slice(1) as number[];
    const n = batch * dims.reduce((a, b) => a * b, 1);
    return tensor(Float32Array.from({ length: n }, () => rng.normal()), [batch, ...dims]);
  });
}

/** A TFOpLambda (tf.nn.depth_to_space) whose block_size lives in the node's kwargs, as TF 2 writes it. */
export function opLambdaModel(): Model {
  const x = Input({ shape: [3, 2, 8], name: 'lr' });
  const y = new TFOpLambda({ function: 'tf.nn.depth_to_space', name: 'tf.nn.depth_to_space' }).apply(x, { kwargs: { block_size: 2, name: null } });
  const z = new Conv2D(1, 3, { padding: 'same', name: 'out' }).apply(y);
  const m = new Model({ inputs: x, outputs: z, name: 'sr' });
  randomize(m, 5);
  return m;
}

export const MODELS_UNDER_TEST: [string, () => Model][] = [
  ['Sequential', sequentialModel],
  ['Sequential of depthwise, separable and normalization layers', convolutionsModel],
  ['functional with two inputs and skip connections', functionalModel],
  ['nested Sequential and Functional (called twice, a frozen sublayer)', nestedModel],
  ['a TFOpLambda with node kwargs (depth_to_space block_size)', opLambdaModel],
];
