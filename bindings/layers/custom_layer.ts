import { ConfigError, ShapeError } from '../errors.js';
import { type MemoryViews, Op, type Step, type StepContext } from '../ops/op.js';
import { type Shape, shapeString } from '../shape_rules.js';
import { Layer, type LayerOptions, type WeightSpec } from './layer.js';
import { showValue } from '../show.js';

/** A weight a custom layer declares (Keras `add_weight`). */
export interface CustomWeight {
  name: string;
  shape: readonly number[];
  /** Initial values when no file sets them (default 'zeros'). */
  init?: 'zeros' | 'ones' | 'glorot_uniform';
  trainable?: boolean;
}

/** What `CustomLayer.call` gets: the batch's inputs and output as views of backend memory. */
export interface CustomCall {
  /** One Float32Array per input, NHWC with the batch first, and their shapes. */
  readonly inputs: readonly Float32Array[];
  readonly inputShapes: readonly (readonly number[])[];
  /** Write the result here (every element). */
  readonly output: Float32Array;
  readonly outputShape: readonly number[];
  /** The layer's weights in `weights()` order. */
  readonly weights: readonly Float32Array[];
}

/**
 * The base for layers a user supplies, e.g. a custom `ReflectionPadding2D`, `PixelNormalization`
 * or a `Lambda` from a Python file (register one with `registerLayer(className, config => new X(config))`).
 * Implement `computeOutputShape`, `call` (plain TypeScript over Float32Arrays; it runs on every
 * backend), `getConfig`, and `weights` if the layer has any.
 */
export abstract class CustomLayer extends Layer {
  protected constructor(className: string, options: LayerOptions = {}) {
    if (typeof className !== 'string' || !className) throw new ConfigError('CustomLayer: needs a class name');
    super(className, options);
  }

  /** The weights for an input shape (sample shapes, no batch), Keras order. Default: none. */
  weights(_inputShapes: readonly Shape[]): CustomWeight[] {
    return [];
  }

  /** Computes one batch: read `inputs`, write `output`. Must not keep the views after returning. */
  abstract call(args: CustomCall): void;

  /** @internal */
  outputShapeFor(inputs: readonly Shape[]): Shape {
    return this.computeOutputShape(inputs.length === 1 ? inputs[0] : inputs);
  }

  /** @internal */
  weightSpecs(inputs: readonly Shape[]): WeightSpec[] {
    return this.weights(inputs).map((w) => {
      if (!Array.isArray(w.shape) || w.shape.some((d) => !Number.isSafeInteger(d) || d < 1)) {
        throw new ShapeError(`${this.label}: weight '${w.name}' has an invalid shape ${showValue(w.shape)} for inputs ${inputs.map(shapeString).join(', ')}`);
      }
      return { name: w.name, shape: [...w.shape], trainable: w.trainable ?? true, init: w.init ?? 'zeros' };
    });
  }

  /** @internal */
  operator(inputs: readonly number[][], output: readonly number[]): Op {
    return new CustomOp(this.name, (a) => this.call(a), inputs, output, this.specs.map((s) => s.shape.reduce((x, y) => x * y, 1)));
  }

  /** Common config keys (name, trainable, dtype): spread them into your getConfig. */
  protected baseConfig(): Record<string, unknown> {
    return super.baseConfig();
  }
}

/** Runs a custom layer's TypeScript `call` over views of the backend memory. */
class CustomOp extends Op {
  constructor(layerName: string, private readonly run: (a: CustomCall) => void, private readonly inputShapes: readonly number[][],
              private readonly outputShape: readonly number[], private readonly weightSizes: readonly number[]) {
    super(layerName);
  }

  staticBytes(): number {
    return 4 * this.weightSizes.reduce((a, b) => a + b, 0);
  }

  pack(mem: MemoryViews, ptr: number, weights: readonly Float32Array[]): void {
    let at = ptr >>> 2;
    for (const w of weights) {
      mem.f32.set(w, at);
      at += w.length;
    }
  }

  steps(ctx: StepContext): Step[] {
    const buf = ctx.f32.buffer;
    const count = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
    const inputs = this.inputShapes.map((s, i) => new Float32Array(buf, ctx.inputs[i], ctx.batch * count(s)));
    const output = new Float32Array(buf, ctx.output, ctx.batch * count(this.outputShape));
    let at = ctx.statics;
    const weights = this.weightSizes.map((n) => {
      const v = new Float32Array(buf, at, n);
      at += 4 * n;
      return v;
    });
    const args: CustomCall = {
      inputs, output, weights,
      inputShapes: this.inputShapes.map((s) => [ctx.batch, ...s]),
      outputShape: [ctx.batch, ...this.outputShape],
    };
    const run = this.run;
    return [() => run(args)];
  }
}
