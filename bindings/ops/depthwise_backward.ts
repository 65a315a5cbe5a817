import type { Kernels } from '../backend/kernels.js';
import { depthwisePackedFloats } from '../backend/kernels/depthwise.js';
import { align } from '../memory/planner.js';
import { type DepthwiseGeometry, packDepthwise, tapsOf, writeTapTable } from './depthwise.js';
import { Act } from '../backend/kernels.js';
import type { MemoryViews, Step } from './op.js';

/**
 * How the input gradient is computed: 'gather' (strides 1 and multiplier 1 only: a depthwise
 * convolution of dy with the same taps over a transposed table, on the forward kernel) or
 * 'scatter' (any geometry: dy·W added into the input pixels each tap read). `force` overrides
 * the choice where both apply (tests and bench/depthwise_grad.mjs compare them).
 * @internal
 */
export const depthwiseInputPath: { force: 'gather' | 'scatter' | null } = { force: null };

/**
 * The backward of a depthwise convolution (DepthwiseConv2D, SeparableConv2D's first step) for
 * its output gradient dy (rows of J = C·mult floats per output pixel):
 * - dW over the forward's pointer table (`depthwiseWeightGrad`, Keras's layout, accumulated);
 * - dx: with strides 1 and multiplier 1 a depthwise convolution of dy with the same kernel
 *   through a table of T pointers per input pixel (the output pixel tap t of which read it, or
 *   the zero row), with the weights packed again with a zero bias; otherwise the transposed
 *   scatter (`depthwiseInputGrad`) through a table of the forward's shape pointing into dx
 *   (padding taps at a sink row). The gather needs no zeroing, no read-modify-write and each
 *   dx pixel is written once (bench/depthwise_grad.mjs measures both).
 */
export class DepthwiseAdjoint {
  readonly gather: boolean;
  private readonly T: number;

  constructor(private readonly g: DepthwiseGeometry) {
    this.T = tapsOf(g);
    const gatherable = g.strides[0] === 1 && g.strides[1] === 1 && g.multiplier === 1;
    this.gather = gatherable && depthwiseInputPath.force !== 'scatter';
  }

  /** Backward statics: the kernel packed with a zero bias row (gather). */
  staticBytes(): number {
    return this.gather ? 4 * depthwisePackedFloats(this.T, this.g.inC, 1) : 0;
  }

  pack(mem: MemoryViews, ptr: number, kernel: Float32Array): void {
    if (this.gather) packDepthwise(mem.f32, ptr, this.g, kernel, null);
  }

  /** Backward tables: the gather's pointers per input pixel, or the scatter's per output pixel and its sink row. */
  tableBytes(batch: number): number {
    const { inH, inW, outH, outW, inC } = this.g;
    if (this.gather) return 4 * batch * inH * inW * this.T;
    return align(4 * batch * outH * outW * this.T) + 4 * Math.ceil(inC / 4) * 4;
  }

  /**
   * The steps: dW[0] += the kernel gradient when `dW` ≥ 0 (over the forward's `fwdTable`), and
   * dx when `dx` ≥ 0. `packed` is the forward's packed weights (the scatter reads them).
   */
  steps(k: Kernels, u32: Uint32Array, batch: number, fwdTable: number, dy: number, dW: number, dx: number,
        packed: number, statics: number, tables: number, zeroRow: number): Step[] {
    const g = this.g;
    const { inC: C, multiplier: mult, outH, outW, inH, inW } = g;
    const T = this.T;
    const M = batch * outH * outW;
    const steps: Step[] = [];
    if (dW >= 0) steps.push(() => k.depthwiseWeightGrad(M, T, C, mult, fwdTable, dy, dW));
    if (dx < 0) return steps;
    if (this.gather) {
      this.writeGatherTable(u32, tables, batch, dy, zeroRow);
      const Mi = batch * inH * inW;
      steps.push(() => k.depthwise(Mi, T, C, 1, tables, dx, statics, Act.Linear, 0));
      return steps;
    }
    const sink = tables + align(4 * M * T);
    writeTapTable(u32, tables, g, batch, dx, sink);
    const count = batch * inH * inW * C;
    steps.push(() => k.depthwiseInputGrad(dx, count, M, T, C, mult, tables, dy, packed));
    return steps;
  }

  /** For every input pixel and tap (a, b): the output pixel that read it through that tap (strides 1), or the zero row. */
  private writeGatherTable(u32: Uint32Array, at: number, batch: number, dy: number, zeroRow: number): void {
    const { inH: h, inW: w, inC: C, outH: oh, outW: ow, padTop, padLeft } = this.g;
    const [kh, kw] = this.g.kernel;
    const [dh, dw] = this.g.dilation;
    let e = at >>> 2;
    for (let b = 0; b < batch; b++) {
      for (let iy = 0; iy < h; iy++) {
        for (let ix = 0; ix < w; ix++) {
          for (let a = 0; a < kh; a++) {
            const oy = iy + padTop - a * dh;
            for (let c = 0; c < kw; c++, e++) {
              const ox = ix + padLeft - c * dw;
              u32[e] = oy >= 0 && oy < oh && ox >= 0 && ox < ow ? dy + 4 * (((b * oh + oy) * ow + ox) * C) : zeroRow;
            }
          }
        }
      }
    }
  }
}
