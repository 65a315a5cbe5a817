import type { Kernels } from '../kernels.js';
import { BinaryOp } from '../kernels/broadcast.js';
import { applyAct, fusable } from './acts.js';
import type { RefViews } from './views.js';

/** relu as TF computes it: x unless x < 0 (−0 and NaN pass through). */
function relu(x: number): number {
  return x < 0 ? 0 : x;
}

/** One binary op on float32 values (f64 arithmetic rounded once: the float32 result). */
function binary(op: BinaryOp, x: number, y: number): number {
  switch (op) {
    case BinaryOp.Add: return x + y;
    case BinaryOp.Sub: return x - y;
    case BinaryOp.Mul: return x * y;
    case BinaryOp.Max: return Math.max(x, y);
    case BinaryOp.Min: return Math.min(x, y);
    case BinaryOp.Div: return x / y;
    case BinaryOp.PRelu: return relu(x) - Math.fround(y * relu(-x));
    default: throw new Error(`broadcast: unknown op ${op as number}`);
  }
}

/** The broadcasting elementwise kernel as a plain loop nest. */
export function broadcastKernels(v: RefViews): Pick<Kernels, 'broadcast'> {
  return {
    broadcast(op, act, alpha, a, b, out, n0, n1, n2, inner, a0, a1, a2, aIn, b0, b1, b2, bIn) {
      v.refresh();
      const { f32 } = v;
      const f = fusable(act);
      const al = Math.fround(alpha);
      let o = out >>> 2;
      for (let i0 = 0; i0 < n0; i0++) {
        for (let i1 = 0; i1 < n1; i1++) {
          for (let i2 = 0; i2 < n2; i2++) {
            const pa = (a >>> 2) + i0 * a0 + i1 * a1 + i2 * a2;
            const pb = (b >>> 2) + i0 * b0 + i1 * b1 + i2 * b2;
            for (let j = 0; j < inner; j++) {
              const r = Math.fround(binary(op, f32[pa + j * aIn], f32[pb + j * bIn]));
              f32[o++] = applyAct(r, f, al);
            }
          }
        }
      }
    },
  };
}
