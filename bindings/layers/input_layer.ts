import { checkKeys, intIn, optionsOf } from '../args.js';
import { ConfigError } from '../errors.js';
import { MAX_DIM, type Shape } from '../shape_rules.js';
import { Layer } from './layer.js';
import { KerasTensor, Node } from './node.js';
import { uniqueName } from './naming.js';
import { showValue } from '../show.js';

export interface InputLayerOptions {
  name?: string;
  inputShape?: readonly (number | null)[];
  /** Keras 3 name for inputShape. */
  shape?: readonly (number | null)[];
  batchSize?: number | null;
  batchInputShape?: readonly (number | null)[];
  /** Keras 3 name for batchInputShape. */
  batchShape?: readonly (number | null)[];
  /** 'float32' (integer inputs such as Embedding ids are given as floats). */
  dtype?: 'float32' | 'int32' | 'int64' | null;
  sparse?: boolean;
  ragged?: boolean;
}

const INPUT_DTYPES = new Set(['float32', 'int32', 'int64']);

/** Keras InputLayer: declares a model input's shape; its node is the graph's source. */
export class InputLayer extends Layer {
  /** The batch size the input was declared with (null: any). */
  readonly batchSize: number | null;
  /** The declared dtype of the input ('float32', or an integer dtype for ids). */
  readonly inputDtype: string;

  constructor(options?: InputLayerOptions | readonly (number | null)[]) {
    const opts: InputLayerOptions = Array.isArray(options) ? { shape: options } : optionsOf<InputLayerOptions>(options, 'InputLayer');
    const inputShape = opts.inputShape ?? opts.shape;
    const batchInputShape = opts.batchInputShape ?? opts.batchShape;
    // Keras 2.2.4 names inputs 'input_<n>' (K.get_uid('input')), not by the class name
    super('InputLayer', { name: opts.name ?? uniqueName('Input'), inputShape, batchInputShape });
    checkKeys(opts, ['name', 'inputShape', 'shape', 'batchSize', 'batchInputShape', 'batchShape', 'dtype', 'sparse', 'ragged'], this.label);
    if (opts.sparse || opts.ragged) throw new ConfigError(`${this.label}: sparse and ragged inputs are not supported`);
    if (!this.batchInputShape) throw new ConfigError(`${this.label}: needs an input shape (inputShape, shape, batchInputShape or batchShape)`);
    const dtype = opts.dtype ?? 'float32';
    if (typeof dtype !== 'string' || !INPUT_DTYPES.has(dtype)) throw new ConfigError(`${this.label}: dtype ${showValue(dtype)} is not supported`);
    this.inputDtype = dtype;
    const declared = batchInputShape?.[0] ?? opts.batchSize ?? null;
    this.batchSize = declared === null ? null : intIn(declared, 1, MAX_DIM, 'batchSize', this.label);
    const node = new Node(this, [], false, {});
    node.outputs.push(new KerasTensor(this.batchInputShape.slice(1), this.batchSize, node, 0));
    this.inboundNodes.push(node);
    this.builtShapes = [];
  }

  /** The symbolic tensor this input stands for. */
  get output(): KerasTensor {
    return this.inboundNodes[0].outputs[0];
  }

  computeOutputShape(inputShape: Shape): Shape {
    return [...inputShape];
  }

  getConfig(): Record<string, unknown> {
    return {
      batch_input_shape: [this.batchSize, ...this.batchInputShape!.slice(1)], dtype: this.inputDtype,
      sparse: false, ragged: false, name: this.name,
    };
  }
}

export interface InputOptions {
  /** Shape of one sample (no batch axis); null for a size known only at predict time. */
  shape: readonly (number | null)[];
  batchSize?: number | null;
  name?: string;
  dtype?: 'float32' | 'int32' | 'int64';
}

/** Keras `Input(shape, batch_size, name, dtype)`: a symbolic model input. */
export function Input(options: InputOptions): KerasTensor {
  const o = optionsOf<InputOptions>(options, 'Input');
  checkKeys(o, ['shape', 'batchSize', 'name', 'dtype'], 'Input');
  if (!Array.isArray(o.shape)) throw new ConfigError(`Input: shape must be an array of dimensions, got ${showValue(o.shape)}`);
  return new InputLayer({ shape: o.shape, batchSize: o.batchSize, name: o.name, dtype: o.dtype }).output;
}
