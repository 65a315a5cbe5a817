import { checkKeys, oneOf, pair } from '../args.js';
import { ConfigError, ShapeError } from '../errors.js';
import { bilinearTap } from '../shape_rules.js';
import { COMMON_OPTIONS, Layer, type LayerOptions, type Step, type StepContext } from './layer.js';

export interface UpSampling2DOptions extends LayerOptions {
  size?: number | readonly [number, number];
  interpolation?: 'nearest' | 'bilinear';
  dataFormat?: string | null;
}

const TAP_BYTES = 12; // {i32 i0, i32 i1, f32 w}

/** Keras UpSampling2D: repeat (nearest) or half-pixel bilinear resize by integer factors. */
export class UpSampling2D extends Layer {
  readonly size: [number, number];
  readonly interpolation: 'nearest' | 'bilinear';

  constructor(sizeOrOptions?: number | readonly [number, number] | UpSampling2DOptions, maybeOptions: UpSampling2DOptions = {}) {
    const positional = typeof sizeOrOptions === 'number' || Array.isArray(sizeOrOptions);
    const options = positional || sizeOrOptions === undefined ? maybeOptions : (sizeOrOptions as UpSampling2DOptions);
    super('UpSampling2D', options);
    checkKeys(options, [...COMMON_OPTIONS, 'size', 'interpolation', 'dataFormat'], this.label);
    if (options.dataFormat != null && options.dataFormat !== 'channels_last') {
      throw new ConfigError(`${this.label}: dataFormat '${options.dataFormat}' is not supported (upconv is channels_last only)`);
    }
    this.size = pair(positional ? sizeOrOptions : (options.size ?? 2), 'size', this.label);
    this.interpolation = oneOf(options.interpolation ?? 'nearest', ['nearest', 'bilinear'] as const, 'interpolation', this.label);
  }

  computeOutputShape(inputShape: readonly number[]): number[] {
    if (inputShape.length !== 3) {
      throw new ShapeError(`${this.label}: expects input of rank 4 (batch, height, width, channels), got (None, ${inputShape.join(', ')})`);
    }
    const [h, w, c] = inputShape;
    return [h * this.size[0], w * this.size[1], c];
  }

  staticFloats(): number {
    if (this.interpolation !== 'bilinear') return 0;
    const [oh, ow] = this.outputShape!;
    return (TAP_BYTES / 4) * (oh + ow);
  }

  writeStatic(f32: Float32Array, u32: Uint32Array, ptr: number): void {
    if (this.interpolation !== 'bilinear') return;
    const [h, w] = this.inputShape!;
    const [oh, ow] = this.outputShape!;
    const write = (at: number, count: number, f: number, n: number) => {
      for (let j = 0; j < count; j++) {
        const { i0, i1, w: wt } = bilinearTap(j, f, n);
        const e = (at >>> 2) + 3 * j;
        u32[e] = i0;
        u32[e + 1] = i1;
        f32[e + 2] = wt;
      }
    };
    write(ptr, oh, this.size[0], h);
    write(ptr + TAP_BYTES * oh, ow, this.size[1], w);
  }

  plan(ctx: StepContext): Step[] {
    const [h, w, c] = this.inputShape!;
    const [oh, ow] = this.outputShape!;
    const [fh, fw] = this.size;
    const n = ctx.batch;
    const k = ctx.kernels;
    if (this.interpolation === 'nearest') return [() => k.resizeNearest(ctx.input, ctx.output, n, h, w, c, fh, fw)];
    const yTab = ctx.statics;
    const xTab = ctx.statics + TAP_BYTES * oh;
    return [() => k.resizeBilinear(ctx.input, ctx.output, n, h, w, c, oh, ow, yTab, xTab)];
  }

  getConfig(): Record<string, unknown> {
    return { ...this.baseConfig(), size: [...this.size], data_format: 'channels_last', interpolation: this.interpolation };
  }
}
