import { Act } from '../backend/kernels.js';
import { momentsScratchFloats, type RstdMode } from '../backend/kernels/norm.js';
import { type MemoryViews, Op, type Step, type StepContext } from './op.js';

/**
 * Normalisations computed from the data: statistics per (sample, group) by the `moments` kernel
 * (float32, blocked and compensated sums, the mean kept as two floats: assembly/moments.ts), then
 * one pass that applies them as ((x − mean) − meanLo)·(rstd·gamma) + beta. Keras writes the
 * same algebra as x·inv + (beta − mean·inv); centring first keeps float32 precision where the
 * mean is large against the spread (a one-value group, 1000 ± 0.01), which that form loses.
 */

/** Where gamma and beta sit in the layer's weight list (null: disabled, 1 and 0 are used). */
export interface AffineWeights {
  readonly gammaAt: number | null;
  readonly betaAt: number | null;
}

export interface ChannelNormParams extends AffineWeights {
  /** Rows per sample and channels per row: a sample is rows × C floats. */
  readonly rows: number;
  readonly C: number;
  /** Groups per row (group g = channels [g·C/G, (g+1)·C/G)); statistics per (sample, group). */
  readonly G: number;
  readonly epsilon: number;
  readonly mode: RstdMode;
  /** Which gamma/beta element channel c uses (its own, the group's, or the single one). */
  readonly weightIndex: (c: number) => number;
  /** BatchNormalization with training=True: one set of statistics over the whole batch. */
  readonly overBatch: boolean;
}

/**
 * Statistics per (sample, channel group), spread over channels with gamma (`normFold`), then
 * `normApply` over the sample's rows with beta and a fused cheap activation:
 * GroupNormalization, InstanceNormalization (tfa and keras_contrib), BatchNormalization with
 * batch statistics.
 *
 * Statics: gamma and beta per channel (C each). Tables: mean, meanLo and rstd (per sample and
 * group), center, centerLo and scale (per sample and channel), the moments scratch.
 */
export class ChannelNormOp extends Op {
  constructor(layerName: string, private readonly p: ChannelNormParams) {
    super(layerName);
  }

  get inPlace(): boolean {
    return true;
  }

  get acceptsEpilogue(): boolean {
    return true;
  }

  staticBytes(): number {
    return 8 * this.p.C;
  }

  pack(mem: MemoryViews, ptr: number, weights: readonly Float32Array[]): void {
    packAffine(mem.f32, ptr, this.p.C, this.p, weights, this.p.weightIndex);
  }

  /**
   * Statistics samples per batch (n), rows in one, and the moments geometry (P, K): a single
   * group of every channel is one contiguous segment per sample.
   */
  private geometry(batch: number): { n: number; rows: number; P: number; K: number } {
    const { C, G } = this.p;
    const n = this.p.overBatch ? 1 : batch;
    const rows = this.p.overBatch ? batch * this.p.rows : this.p.rows;
    return G === 1 ? { n, rows, P: 1, K: rows * C } : { n, rows, P: rows, K: C / G };
  }

  /** Byte offsets in the tables: mean, meanLo, rstd, center, centerLo, scale, scratch, end. */
  private layout(batch: number): number[] {
    const { n, P, K } = this.geometry(batch);
    const { C, G } = this.p;
    const sizes = [n * G, n * G, n * G, n * C, n * C, n * C, momentsScratchFloats(P, G, K)];
    const offsets = [0];
    for (const f of sizes) offsets.push(offsets[offsets.length - 1] + 4 * Math.ceil(f / 4) * 4);
    return offsets;
  }

  tableBytes(batch: number): number {
    return this.layout(batch)[7];
  }

  steps(ctx: StepContext): Step[] {
    const { C, G, epsilon, mode } = this.p;
    const { n, rows, P, K } = this.geometry(ctx.batch);
    const [mean, meanLo, rstd, center, centerLo, scale, scratch] = this.layout(ctx.batch).map((o) => ctx.tables + o);
    const gamma = ctx.statics;
    const beta = ctx.statics + 4 * C;
    const k = ctx.kernels;
    const x = ctx.inputs[0];
    const out = ctx.output;
    const act = ctx.epilogue?.act ?? Act.Linear;
    const alpha = ctx.epilogue?.alpha ?? 0;
    const sampleBytes = 4 * rows * C;
    const steps: Step[] = [
      () => k.moments(x, n, P, G, K, epsilon, mode, mean, meanLo, rstd, scratch),
      () => k.normFold(mean, meanLo, rstd, n, G, C / G, gamma, center, centerLo, scale),
    ];
    for (let s = 0; s < n; s++) {
      const xs = x + s * sampleBytes;
      const os = out + s * sampleBytes;
      const [ce, lo, sc] = [center, centerLo, scale].map((p) => p + 4 * s * C);
      steps.push(() => k.normApply(xs, os, rows, C, ce, lo, sc, beta, act, alpha));
    }
    return steps;
  }
}

export interface LayerNormParams extends AffineWeights {
  /** A sample viewed as (A, R, B): statistics per (a, b) over R, gamma and beta per r. */
  readonly A: number;
  readonly R: number;
  readonly B: number;
  readonly epsilon: number;
}

/**
 * LayerNormalization over a block of adjacent axes: a sample is (A, R, B) with the normalised
 * axes in R; mean and population variance per (sample, a, b) over R, then
 * y = (x − mean)·rstd·gamma[r] + beta[r] (`layerNormApply`).
 */
export class LayerNormOp extends Op {
  constructor(layerName: string, private readonly p: LayerNormParams) {
    super(layerName);
  }

  get inPlace(): boolean {
    return true;
  }

  get acceptsEpilogue(): boolean {
    return true;
  }

  staticBytes(): number {
    return 8 * this.p.R;
  }

  pack(mem: MemoryViews, ptr: number, weights: readonly Float32Array[]): void {
    packAffine(mem.f32, ptr, this.p.R, this.p, weights, (r) => r);
  }

  /** moments geometry: contiguous rows of R when B = 1, else rows of B channels. */
  private geometry(): { P: number; G: number; K: number } {
    const { R, B } = this.p;
    return B === 1 ? { P: 1, G: 1, K: R } : { P: R, G: B, K: 1 };
  }

  tableBytes(batch: number): number {
    const stats = Math.ceil((batch * this.p.A * this.p.B) / 4) * 4;
    const { P, G, K } = this.geometry();
    return 4 * (3 * stats + momentsScratchFloats(P, G, K));
  }

  steps(ctx: StepContext): Step[] {
    const { A, R, B, epsilon } = this.p;
    const rows = ctx.batch * A;
    const stats = Math.ceil((rows * B) / 4) * 4;
    const mean = ctx.tables;
    const meanLo = mean + 4 * stats;
    const rstd = meanLo + 4 * stats;
    const scratch = rstd + 4 * stats;
    const { P, G, K } = this.geometry();
    const k = ctx.kernels;
    const x = ctx.inputs[0];
    const out = ctx.output;
    const gamma = ctx.statics;
    const beta = ctx.statics + 4 * R;
    const act = ctx.epilogue?.act ?? Act.Linear;
    const alpha = ctx.epilogue?.alpha ?? 0;
    return [
      () => k.moments(x, rows, P, G, K, epsilon, 0, mean, meanLo, rstd, scratch),
      () => k.layerNormApply(x, out, rows, R, B, mean, meanLo, rstd, gamma, beta, act, alpha),
    ];
  }
}

/** PixelNormalization: x / sqrt(mean(x² over the last axis) + epsilon), per row of C. */
export class PixelNormOp extends Op {
  constructor(layerName: string, private readonly rows: number, private readonly C: number, private readonly epsilon: number) {
    super(layerName);
  }

  get inPlace(): boolean {
    return true;
  }

  steps(ctx: StepContext): Step[] {
    const rows = ctx.batch * this.rows;
    const { C, epsilon } = this;
    const k = ctx.kernels;
    const x = ctx.inputs[0];
    const out = ctx.output;
    return [() => k.pixelNorm(x, out, rows, C, epsilon)];
  }
}

/** Writes gamma (ones when disabled) then beta (zeros), `count` floats each, element i from index(i). */
function packAffine(f32: Float32Array, ptr: number, count: number, w: AffineWeights, weights: readonly Float32Array[],
                    index: (i: number) => number): void {
  const base = ptr >>> 2;
  const gamma = w.gammaAt === null ? null : weights[w.gammaAt];
  const beta = w.betaAt === null ? null : weights[w.betaAt];
  for (let i = 0; i < count; i++) {
    f32[base + i] = gamma ? gamma[index(i)] : 1;
    f32[base + count + i] = beta ? beta[index(i)] : 0;
  }
}
