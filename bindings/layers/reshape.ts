import { checkKeys } from '../args.js';
import { ConfigError, ShapeError } from '../errors.js';
import { sizeOf } from '../tensor.js';
import { COMMON_OPTIONS, Layer, type LayerOptions } from './layer.js';

/** Keras Reshape: row-major reshape of each sample; one dimension may be -1. No data moves. */
export class Reshape extends Layer {
  readonly targetShape: number[];

  constructor(targetShape: readonly number[], options: LayerOptions = {}) {
    super('Reshape', options);
    checkKeys(options, COMMON_OPTIONS, this.label);
    if (!Array.isArray(targetShape) || targetShape.length === 0 ||
        targetShape.some((d) => !Number.isInteger(d) || (d < 1 && d !== -1)) ||
        targetShape.filter((d) => d === -1).length > 1) {
      throw new ConfigError(`${this.label}: targetShape must be positive integers with at most one -1, got ${JSON.stringify(targetShape)}`);
    }
    this.targetShape = [...targetShape];
  }

  computeOutputShape(inputShape: readonly number[]): number[] {
    const size = sizeOf(inputShape);
    const known = sizeOf(this.targetShape.filter((d) => d !== -1));
    const out = this.targetShape.map((d) => (d === -1 ? size / known : d));
    if (!Number.isInteger(sizeOf(out)) || sizeOf(out) !== size || out.some((d) => !Number.isInteger(d))) {
      throw new ShapeError(`${this.label}: cannot reshape an input of shape (None, ${inputShape.join(', ')}) (${size} values) into (None, ${this.targetShape.join(', ')})`);
    }
    return out;
  }

  get aliasesInput(): boolean {
    return true;
  }

  getConfig(): Record<string, unknown> {
    return { ...this.baseConfig(), target_shape: [...this.targetShape] };
  }
}
