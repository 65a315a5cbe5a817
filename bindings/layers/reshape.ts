import { checkKeys, optionsOf } from '../args.js';
import { ConfigError, ShapeError } from '../errors.js';
import { MAX_DIM, type Shape, shapeString, sizeOfShape } from '../shape_rules.js';
import { COMMON_OPTIONS, Layer, type LayerOptions } from './layer.js';
import { showValue } from '../show.js';

/** Keras Reshape: row-major reshape of each sample; one dimension may be -1. No data moves. */
export class Reshape extends Layer {
  readonly targetShape: number[];

  constructor(targetShape: readonly number[], options?: LayerOptions) {
    const o = optionsOf<LayerOptions>(options, 'Reshape');
    super('Reshape', o);
    checkKeys(o, COMMON_OPTIONS, this.label);
    if (!Array.isArray(targetShape) || targetShape.length === 0 || targetShape.length > 16 ||
        targetShape.some((d) => typeof d !== 'number' || !Number.isSafeInteger(d) || (d < 1 && d !== -1) || d > MAX_DIM) ||
        targetShape.filter((d) => d === -1).length > 1) {
      throw new ConfigError(`${this.label}: targetShape must be 1 to 16 integers from 1 to ${MAX_DIM} with at most one -1, got ${showValue(targetShape)}`);
    }
    this.targetShape = [...targetShape];
  }

  computeOutputShape(inputShape: Shape): Shape {
    const size = sizeOfShape(inputShape);
    if (size === null) {
      if (this.targetShape.includes(-1)) return this.targetShape.map((d) => (d === -1 ? null : d));
      return [...this.targetShape];
    }
    let known = 1;
    for (const d of this.targetShape) if (d !== -1) known *= d;
    const out = this.targetShape.map((d) => (d === -1 ? size / known : d));
    let total = 1;
    for (const d of out) total *= d;
    if (total !== size || out.some((d) => !Number.isInteger(d))) {
      throw new ShapeError(`${this.label}: cannot reshape an input of shape ${shapeString(inputShape)} (${size} values) into (None, ${this.targetShape.join(', ')})`);
    }
    return out;
  }

  getConfig(): Record<string, unknown> {
    return { ...this.baseConfig(), target_shape: [...this.targetShape] };
  }
}
