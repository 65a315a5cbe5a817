import { checkKeys, optionsOf } from '../args.js';
import { ConfigError, ShapeError } from '../errors.js';
import { DepthToSpaceOp } from '../ops/copy.js';
import type { Op } from '../ops/op.js';
import type { Shape } from '../shape_rules.js';
import { blockSizeOf, checkNHWC, depthToSpaceShape } from './depth_to_space.js';
import { COMMON_OPTIONS, Layer, type LayerOptions } from './layer.js';
import type { CallArgs, KerasTensor } from './node.js';
import { showValue } from '../show.js';

export interface TFOpLambdaOptions extends LayerOptions {
  /** The TF API symbol the layer calls, e.g. 'nn.depth_to_space'. */
  function: string;
}

/** The TF symbols of depth_to_space a TFOpLambda may name (tf_export names, with or without `tf.`). */
const DEPTH_TO_SPACE = new Set(['nn.depth_to_space', 'tf.nn.depth_to_space', 'compat.v1.nn.depth_to_space', 'compat.v1.depth_to_space',
  'tf.compat.v1.nn.depth_to_space', 'tf.compat.v1.depth_to_space']);

/** Node keyword arguments a depth_to_space call may carry. */
const KWARGS = new Set(['block_size', 'data_format', 'name']);

/**
 * tf.keras 2.4+'s TFOpLambda (a TF function called on a Keras tensor, tfk layers/core/
 * tf_op_layer.py): upconv runs `tf.nn.depth_to_space`, whose block_size is a keyword argument of
 * the call (the node kwargs of the file). Any other function is a ConfigError naming it.
 * One layer is one TF call: a second call must use the same block_size.
 */
export class TFOpLambda extends Layer {
  readonly function: string;
  /** block_size of the call (null until the layer is called). */
  blockSize: number | null = null;

  constructor(options: TFOpLambdaOptions) {
    const o = optionsOf<TFOpLambdaOptions>(options, 'TFOpLambda');
    super('TFOpLambda', o);
    checkKeys(o, [...COMMON_OPTIONS, 'function'], this.label);
    if (typeof o.function !== 'string' || !DEPTH_TO_SPACE.has(o.function)) {
      const fn = typeof o.function === 'string' ? `'${o.function.slice(0, 64)}'` : showValue(o.function);
      throw new ConfigError(`${this.label}: TensorFlow function ${fn} is not supported (upconv runs tf.nn.depth_to_space TF-op layers only)`);
    }
    this.function = o.function;
  }

  /** @internal Reads block_size (and data_format) from the call's keyword arguments. */
  connect(inputs: KerasTensor | readonly KerasTensor[], args: CallArgs = {}): KerasTensor[] {
    const kw = args.kwargs ?? {};
    const extra = Object.keys(kw).filter((k) => !KWARGS.has(k) && k !== 'training');
    if (extra.length) throw new ConfigError(`${this.label}: depth_to_space got unknown arguments ${extra.map((k) => `'${k.slice(0, 64)}'`).join(', ')}`);
    if (kw.block_size === undefined) throw new ConfigError(`${this.label}: the depth_to_space call has no block_size keyword argument`);
    const b = blockSizeOf(kw.block_size, this.label);
    checkNHWC(kw.data_format, this.label);
    if (this.blockSize !== null && this.blockSize !== b) {
      throw new ShapeError(`${this.label}: called with block_size ${b} after block_size ${this.blockSize}; upconv runs one block_size per TFOpLambda layer`);
    }
    const before = this.blockSize;
    this.blockSize = b;
    try {
      return super.connect(inputs, args);
    } catch (e) {
      this.blockSize = before;
      throw e;
    }
  }

  computeOutputShape(inputShape: Shape): Shape {
    if (this.blockSize === null) throw new ShapeError(`${this.label}: call the layer (with a block_size keyword argument) first`);
    return depthToSpaceShape(inputShape, this.blockSize, this.label);
  }

  /** @internal */
  operator(inputs: readonly number[][]): Op {
    return new DepthToSpaceOp(this.name, inputs[0], this.blockSize!);
  }

  getConfig(): Record<string, unknown> {
    return { ...this.baseConfig(), function: this.function };
  }
}
