import { channelsLast, checkKeys, optionsOf } from '../args.js';
import { PadMode } from '../backend/kernels/copy.js';
import { ConfigError, ShapeError } from '../errors.js';
import { PadOp } from '../ops/copy.js';
import type { Op } from '../ops/op.js';
import { mapDim, type Shape, shapeString } from '../shape_rules.js';
import { COMMON_OPTIONS, Layer, type LayerOptions } from './layer.js';
import { type PairOrder, type Pads, padsConfig, readPads } from './padding_args.js';
import type { Padding2D } from './zero_padding2d.js';

export interface MirrorPadding2DOptions extends LayerOptions {
  /** int (every side), a pair (in the class's order, see the class), or [[top, bottom], [left, right]]; default 1. */
  padding?: Padding2D;
  dataFormat?: 'channels_last' | null;
  /** @internal The custom class name a file used for this layer (registry aliases). */
  fileClass?: string;
}

/**
 * The custom mirror-padding class names model files use, with what they compute and how each
 * reads a flat [a, b] padding pair (from the classes in public repositories; registry.ts):
 * tf.pad REFLECT (the edge is not repeated) or SYMMETRIC (the edge is repeated).
 * @internal
 */
export const MIRROR_CLASSES: ReadonlyMap<string, { mode: 'reflect' | 'symmetric'; order: PairOrder }> = new Map([
  // keras-io CycleGAN and its ports (StackOverflow 50677544 lineage): `padding_width, padding_height = self.padding`
  ['ReflectionPadding2D', { mode: 'reflect', order: 'wh' }],
  // padding[0] pads the rows (the Keras 1 / Theano neural-style lineage and its TF ports)
  ['ReflectPadding2D', { mode: 'reflect', order: 'hw' }],
  // `[[i, i] for i in self.padding]` after the batch axis: (height, width)
  ['SymmetricPadding2D', { mode: 'symmetric', order: 'hw' }],
  // `padding_width, padding_height = self.padding` (the ZeroPadding2D subclasses write [[t, b], [l, r]])
  ['SymmetricPadding', { mode: 'symmetric', order: 'wh' }],
] as const);

/**
 * Reflection or symmetric 2-D padding (tf.pad REFLECT / SYMMETRIC) of (N, H, W, C) tensors.
 * REFLECT needs each pad below the padded size, SYMMETRIC at most that size (as TF's MirrorPad).
 */
export abstract class MirrorPadding2D extends Layer {
  /** [top, bottom, left, right]. */
  readonly pads: Pads;
  readonly mode: 'reflect' | 'symmetric';

  protected constructor(className: string, mode: 'reflect' | 'symmetric', paddingOrOptions?: Padding2D | MirrorPadding2DOptions,
                        maybeOptions?: MirrorPadding2DOptions) {
    const positional = typeof paddingOrOptions === 'number' || Array.isArray(paddingOrOptions);
    const o = optionsOf<MirrorPadding2DOptions>(positional || paddingOrOptions === undefined ? maybeOptions : paddingOrOptions, className);
    const cls = o.fileClass ?? className;
    const spec = MIRROR_CLASSES.get(cls);
    if (!spec || spec.mode !== mode) throw new ConfigError(`${className}: '${String(cls)}' is not a ${mode} padding class`);
    super(cls, o);
    checkKeys(o, [...COMMON_OPTIONS, 'padding', 'dataFormat', 'fileClass'], this.label);
    channelsLast(o.dataFormat, this.label);
    this.mode = spec.mode;
    this.pads = readPads(positional ? paddingOrOptions : (o.padding ?? 1), 'padding', this.label, spec.order);
  }

  computeOutputShape(inputShape: Shape): Shape {
    if (inputShape.length !== 3) throw new ShapeError(`${this.label}: expects input of rank 4 (batch, height, width, channels), got ${shapeString(inputShape)}`);
    const [t, b, l, r] = this.pads;
    const [h, w, c] = inputShape;
    const reflect = this.mode === 'reflect';
    for (const [pad, dim, axis] of [[Math.max(t, b), h, 'height'], [Math.max(l, r), w, 'width']] as const) {
      if (dim !== null && (reflect ? pad >= dim : pad > dim)) {
        throw new ShapeError(`${this.label}: ${this.mode} padding of ${pad} needs an input ${axis} ${reflect ? 'above' : 'of at least'} ${pad}, got ${shapeString(inputShape)} (tf.pad ${reflect ? 'REFLECT' : 'SYMMETRIC'})`);
      }
    }
    return [mapDim(h, (n) => n + t + b), mapDim(w, (n) => n + l + r), c];
  }

  /** @internal */
  operator(inputs: readonly number[][]): Op {
    return new PadOp(this.name, inputs[0], this.pads, this.mode === 'reflect' ? PadMode.Reflect : PadMode.Symmetric);
  }

  /** The padding as the class writes it: its flat pair when each axis is padded evenly, else [[t, b], [l, r]]. */
  getConfig(): Record<string, unknown> {
    const [t, b, l, r] = this.pads;
    const order = MIRROR_CLASSES.get(this.className)!.order;
    const padding = t === b && l === r ? (order === 'hw' ? [t, l] : [l, t]) : padsConfig(this.pads);
    return { ...this.baseConfig(), padding };
  }
}
