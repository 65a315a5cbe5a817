import { Act } from '../backend/kernels.js';
import { checkKeys, finite, optionsOf } from '../args.js';
import { ActivationOp } from '../ops/activation.js';
import type { Op } from '../ops/op.js';
import type { Shape } from '../shape_rules.js';
import { COMMON_OPTIONS, Layer, type LayerOptions } from './layer.js';

export interface ELUOptions extends LayerOptions {
  alpha?: number;
}

/** Keras ELU layer: x > 0 → x, else alpha·(eˣ − 1) (computed with expm1). */
export class ELU extends Layer {
  readonly alpha: number;

  constructor(alphaOrOptions?: number | ELUOptions, maybeOptions?: ELUOptions) {
    const o = optionsOf<ELUOptions>(typeof alphaOrOptions === 'object' && alphaOrOptions !== null ? alphaOrOptions : maybeOptions, 'ELU');
    super('ELU', o);
    checkKeys(o, [...COMMON_OPTIONS, 'alpha'], this.label);
    this.alpha = finite(typeof alphaOrOptions === 'number' ? alphaOrOptions : (o.alpha ?? 1), 'alpha', this.label);
  }

  computeOutputShape(inputShape: Shape): Shape {
    return [...inputShape];
  }

  /** @internal */
  operator(inputs: readonly number[][]): Op {
    return new ActivationOp(this.name, { name: 'elu', act: Act.Elu, alpha: this.alpha, softmax: false }, inputs[0]);
  }

  getConfig(): Record<string, unknown> {
    return { ...this.baseConfig(), alpha: this.alpha };
  }
}
