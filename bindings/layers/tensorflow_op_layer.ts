import { checkKeys, optionsOf } from '../args.js';
import { decodeBase64 } from '../backend/base64.js';
import { ConfigError } from '../errors.js';
import { DepthToSpaceOp } from '../ops/copy.js';
import type { Op } from '../ops/op.js';
import type { Shape } from '../shape_rules.js';
import { blockSizeOf, checkNHWC, depthToSpaceShape } from './depth_to_space.js';
import { COMMON_OPTIONS, Layer, type LayerOptions } from './layer.js';
import { showValue } from '../show.js';

export interface TensorFlowOpLayerOptions extends LayerOptions {
  /** The op's NodeDef as tf.keras writes it (json_format.MessageToDict). Only `DepthToSpace` runs. */
  nodeDef: Record<string, unknown>;
  /** Constant inputs of the op; DepthToSpace has none. */
  constants?: Record<string, unknown> | null;
}

const PREFIX = 'tf_op_layer_';

function isObject(x: unknown): x is Record<string, unknown> {
  return !!x && typeof x === 'object' && !Array.isArray(x);
}

/** A NodeDef string attr: base64 bytes (`{"s": "TkhXQw=="}` = NHWC), as MessageToDict writes them. */
function stringAttr(attr: unknown, where: string): string | undefined {
  if (attr === undefined) return undefined;
  const s = isObject(attr) ? attr.s : undefined;
  if (typeof s !== 'string' || s.length > 64) throw new ConfigError(`${where}: the node_def attr ${showValue(attr)} is not a string attr`);
  try {
    return String.fromCharCode(...decodeBase64(s));
  } catch {
    throw new ConfigError(`${where}: the node_def attr ${showValue(attr)} is not base64`);
  }
}

/**
 * tf.keras 2's TensorFlowOpLayer (TF 2.0–2.3 saving a raw TF op inside a functional model,
 * tfk engine/base_layer.py): upconv runs the `DepthToSpace` op of super-resolution generators,
 * out[n, h·b+i, w·b+j, c] = x[n, h, w, (i·b + j)·C′ + c]. Any other op is a ConfigError naming it.
 * The layer is named `tf_op_layer_<name>`, as Keras names it.
 */
export class TensorFlowOpLayer extends Layer {
  readonly nodeDef: Record<string, unknown>;
  readonly blockSize: number;

  constructor(options: TensorFlowOpLayerOptions) {
    const o = optionsOf<TensorFlowOpLayerOptions>(options, 'TensorFlowOpLayer');
    const nodeDef = o.nodeDef;
    const base = typeof o.name === 'string' ? o.name : isObject(nodeDef) && typeof nodeDef.name === 'string' ? nodeDef.name : 'DepthToSpace';
    super('TensorFlowOpLayer', { ...o, name: base.startsWith(PREFIX) ? base : PREFIX + base });
    checkKeys(o, [...COMMON_OPTIONS, 'nodeDef', 'constants'], this.label);
    if (!isObject(nodeDef)) throw new ConfigError(`${this.label}: node_def must be the op's NodeDef object`);
    const op = nodeDef.op;
    if (op !== 'DepthToSpace') {
      throw new ConfigError(`${this.label}: TensorFlow op ${showValue(typeof op === 'string' ? op.slice(0, 64) : op)} is not supported (upconv runs the DepthToSpace op of TF-op layers only)`);
    }
    if (o.constants !== undefined && o.constants !== null && (!isObject(o.constants) || Object.keys(o.constants).length)) {
      throw new ConfigError(`${this.label}: DepthToSpace takes no constants, got ${showValue(o.constants).slice(0, 100)}`);
    }
    const attr = isObject(nodeDef.attr) ? nodeDef.attr : {};
    const bs = isObject(attr.block_size) ? attr.block_size.i : undefined;
    this.blockSize = blockSizeOf(bs, this.label);
    checkNHWC(stringAttr(attr.data_format, this.label), this.label);
    this.nodeDef = JSON.parse(JSON.stringify(nodeDef)) as Record<string, unknown>;
  }

  computeOutputShape(inputShape: Shape): Shape {
    return depthToSpaceShape(inputShape, this.blockSize, this.label);
  }

  /** @internal */
  operator(inputs: readonly number[][]): Op {
    return new DepthToSpaceOp(this.name, inputs[0], this.blockSize);
  }

  /** As tf.keras writes it: the name without the `tf_op_layer_` prefix its constructor adds. */
  getConfig(): Record<string, unknown> {
    return { ...this.baseConfig(), name: this.name.slice(PREFIX.length), node_def: JSON.parse(JSON.stringify(this.nodeDef)), constants: {} };
  }
}
