import { checkKeys, intIn, optionsOf, positiveInt } from '../args.js';
import { ConfigError, ShapeError } from '../errors.js';
import { EmbeddingOp } from '../ops/gather.js';
import type { Op } from '../ops/op.js';
import { MAX_DIM, type Shape, shapeString } from '../shape_rules.js';
import { COMMON_OPTIONS, Layer, type LayerOptions, type WeightSpec } from './layer.js';
import { showValue } from '../show.js';

export interface EmbeddingOptions extends LayerOptions {
  /**
   * tf.keras 2's fixed sequence length (an int, or a list for several axes): fixes the input
   * shape when no other is given and is checked against the input. Keras 3 ignores it.
   */
  inputLength?: number | readonly number[] | null;
  /** Only false: masking is not supported. */
  maskZero?: boolean;
}

/**
 * Keras Embedding: ids (given as floats, truncated to integers as Keras's cast to int32 does)
 * pick rows of the `embeddings` (input_dim, output_dim) table: (N, L) → (N, L, output_dim).
 * An id outside [0, input_dim) is a ShapeError at predict (TF's CPU kernel refuses it too).
 */
export class Embedding extends Layer {
  readonly inputDim: number;
  readonly outputDim: number;
  readonly inputLength: number | number[] | null;

  constructor(inputDim: number, outputDim: number, options?: EmbeddingOptions) {
    const o = optionsOf<EmbeddingOptions>(options, 'Embedding');
    const length = o.inputLength;
    const given = o.inputShape != null || o.batchInputShape != null || o.inputDim != null;
    // tf.keras 2: input_length gives the layer its input shape (k2 embedding.py __init__)
    const lengths = typeof length === 'number' ? [length] : Array.isArray(length) ? [...length] : null;
    super('Embedding', !given && lengths && lengths.every((d) => typeof d === 'number') ? { ...o, inputShape: lengths } : o);
    checkKeys(o, [...COMMON_OPTIONS, 'inputLength', 'maskZero'], this.label);
    this.inputDim = positiveInt(inputDim, 'inputDim', this.label);
    this.outputDim = positiveInt(outputDim, 'outputDim', this.label);
    if (o.maskZero !== undefined && o.maskZero !== null && o.maskZero !== false) {
      throw new ConfigError(`${this.label}: maskZero ${showValue(o.maskZero)} is not supported (masks are not)`);
    }
    if (length === undefined || length === null) this.inputLength = null;
    else if (typeof length === 'number') this.inputLength = intIn(length, 1, MAX_DIM, 'inputLength', this.label);
    else if (Array.isArray(length) && length.length >= 1 && length.length <= 16) this.inputLength = length.map((d) => intIn(d, 1, MAX_DIM, 'inputLength', this.label));
    else throw new ConfigError(`${this.label}: inputLength must be an integer or a list of integers, got ${showValue(length)}`);
  }

  computeOutputShape(inputShape: Shape): Shape {
    if (this.inputLength !== null) {
      const want = typeof this.inputLength === 'number' ? [this.inputLength] : this.inputLength;
      if (want.length > inputShape.length || want.some((d, k) => inputShape[k] !== null && inputShape[k] !== d)) {
        throw new ShapeError(`${this.label}: input_length is ${showValue(this.inputLength)}, but the input has shape ${shapeString(inputShape)}`);
      }
    }
    return [...inputShape, this.outputDim];
  }

  /** @internal */
  weightSpecs(): WeightSpec[] {
    return [{ name: 'embeddings', shape: [this.inputDim, this.outputDim], trainable: true, init: 'uniform_0.05' }];
  }

  /** @internal */
  operator(inputs: readonly number[][]): Op {
    const ids = inputs[0].reduce((p, d) => p * d, 1);
    return new EmbeddingOp(this.name, this.label, ids, this.inputDim, this.outputDim);
  }

  getConfig(): Record<string, unknown> {
    return {
      ...this.baseConfig(), input_dim: this.inputDim, output_dim: this.outputDim,
      embeddings_initializer: { class_name: 'RandomUniform', config: { minval: -0.05, maxval: 0.05, seed: null } },
      embeddings_regularizer: null, activity_regularizer: null, embeddings_constraint: null, mask_zero: false,
      input_length: this.inputLength,
    };
  }
}
