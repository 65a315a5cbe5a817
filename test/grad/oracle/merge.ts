/**
 * Float64 oracles of the merge layers, Concatenate and PReLU, written from the Keras 3 sources
 * (layers/merging/*.py: a left fold of TF ops with broadcasting, the lower-rank inputs expanded
 * after the batch axis; layers/activations/prelu.py) and TF's gradient rules: each binary op's
 * gradient reduced to its operand's shape by summing over the broadcast axes
 * (BroadcastGradientArgs), MaximumGrad's `x >= y` mask (MinimumGrad's `x <= y`): a tie goes to
 * the left operand of that fold step. Plain loops over multi-indices; nothing from the package.
 */
import type { OracleOp } from './op.js';
import { size, type Val } from './values.js';

export type MergeName = 'add' | 'subtract' | 'multiply' | 'average' | 'maximum' | 'minimum';

/** [B, ...sample] with 1s inserted after the batch axis up to rank R. */
function aligned(shape: readonly number[], R: number): number[] {
  return [shape[0], ...new Array<number>(R - shape.length).fill(1), ...shape.slice(1)];
}

/** NumPy broadcast of shapes of one rank. */
function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  return a.map((d, k) => {
    const e = b[k];
    if (d !== e && d !== 1 && e !== 1) throw new Error(`oracle: shapes [${a}] and [${b}] do not broadcast`);
    return d === 1 ? e : d;
  });
}

/** For each flat index of `out`, the flat index of `shape` (same rank; size-1 axes broadcast) it reads. */
function readIndex(out: readonly number[], shape: readonly number[]): Int32Array {
  const n = size(out);
  const map = new Int32Array(n);
  const idx = new Array<number>(out.length).fill(0);
  for (let p = 0; p < n; p++) {
    let q = 0;
    for (let k = 0; k < out.length; k++) q = q * shape[k] + (shape[k] === 1 ? 0 : idx[k]);
    map[p] = q;
    for (let k = out.length - 1; k >= 0; k--) {
      if (++idx[k] < out[k]) break;
      idx[k] = 0;
    }
  }
  return map;
}

interface Binary {
  f(x: number, y: number): number;
  /** [d/dx, d/dy] · g */
  grad(x: number, y: number, g: number): [number, number];
}

const BINARY: Record<Exclude<MergeName, 'average'>, Binary> = {
  add: { f: (x, y) => x + y, grad: (_x, _y, g) => [g, g] },
  subtract: { f: (x, y) => x - y, grad: (_x, _y, g) => [g, -g] },
  multiply: { f: (x, y) => x * y, grad: (x, y, g) => [g * y, g * x] },
  maximum: { f: (x, y) => (x >= y ? x : y), grad: (x, y, g) => (x >= y ? [g, 0] : [0, g]) },
  minimum: { f: (x, y) => (x <= y ? x : y), grad: (x, y, g) => (x <= y ? [g, 0] : [0, g]) },
};

/** One fold step out = f(m, x) over broadcast shapes; its values and index maps. */
interface FoldStep {
  shape: number[];
  mapM: Int32Array;
  mapX: Int32Array;
  value: Float64Array;
}

function fold(op: Binary, xs: readonly Val[]): { steps: FoldStep[]; first: Val; R: number } {
  const R = Math.max(...xs.map((x) => x.shape.length));
  let m: Val = { data: xs[0].data, shape: aligned(xs[0].shape, R) };
  const steps: FoldStep[] = [];
  for (let i = 1; i < xs.length; i++) {
    const xShape = aligned(xs[i].shape, R);
    const shape = broadcastShape(m.shape, xShape);
    const mapM = readIndex(shape, m.shape);
    const mapX = readIndex(shape, xShape);
    const value = new Float64Array(size(shape));
    for (let p = 0; p < value.length; p++) value[p] = op.f(m.data[mapM[p]], xs[i].data[mapX[p]]);
    steps.push({ shape, mapM, mapX, value });
    m = { data: value, shape };
  }
  return { steps, first: { data: xs[0].data, shape: aligned(xs[0].shape, R) }, R };
}

/** Keras's merge: the fold of `name` over the inputs (Average: the sum over n). */
export function merge(name: MergeName): OracleOp {
  const op = BINARY[name === 'average' ? 'add' : name];
  const n0 = (xs: readonly Val[]) => (name === 'average' ? xs.length : 1);
  return {
    name: `merge(${name})`,
    forward(xs) {
      if (xs.length === 1) return { data: xs[0].data.slice(), shape: [...xs[0].shape] };
      const { steps } = fold(op, xs);
      const last = steps[steps.length - 1];
      const d = n0(xs);
      return { data: last.value.map((v) => v / d), shape: [...last.shape] };
    },
    backward(xs, _p, _out, dy) {
      if (xs.length === 1) return { dInputs: [dy.slice()], dParams: [] };
      const { steps, first } = fold(op, xs);
      let dm = dy.map((g) => g / n0(xs));
      const dInputs: Float64Array[] = xs.map((x) => new Float64Array(x.data.length));
      for (let i = steps.length - 1; i >= 0; i--) {
        const s = steps[i];
        const prev = i > 0 ? steps[i - 1].value : first.data;
        const x = xs[i + 1].data;
        const dPrev = new Float64Array(prev.length);
        for (let p = 0; p < s.value.length; p++) {
          const [gm, gx] = op.grad(prev[s.mapM[p]], x[s.mapX[p]], dm[p]);
          dPrev[s.mapM[p]] += gm;
          dInputs[i + 1][s.mapX[p]] += gx;
        }
        dm = dPrev;
      }
      dInputs[0] = dm;
      return { dInputs, dParams: [] };
    },
  };
}

/** Concatenate along sample axis `axis` (0-based after the batch). */
export function concatenate(axis: number): OracleOp {
  const split = (shape: readonly number[]) => {
    const outer = size(shape.slice(0, axis + 1));
    return { outer, len: size(shape.slice(axis + 1)) };
  };
  return {
    name: `concatenate(${axis})`,
    forward(xs) {
      const shape = [...xs[0].shape];
      shape[axis + 1] = xs.reduce((n, x) => n + x.shape[axis + 1], 0);
      const out = new Float64Array(size(shape));
      const rowLen = size(shape.slice(axis + 1));
      const rows = size(shape.slice(0, axis + 1));
      let at = 0;
      for (const x of xs) {
        const { len } = split(x.shape);
        for (let r = 0; r < rows; r++) for (let j = 0; j < len; j++) out[r * rowLen + at + j] = x.data[r * len + j];
        at += len;
      }
      return { data: out, shape };
    },
    backward(xs, _p, out, dy) {
      const rowLen = size(out.shape.slice(axis + 1));
      const rows = size(out.shape.slice(0, axis + 1));
      let at = 0;
      const dInputs = xs.map((x) => {
        const { len } = split(x.shape);
        const d = new Float64Array(x.data.length);
        for (let r = 0; r < rows; r++) for (let j = 0; j < len; j++) d[r * len + j] = dy[r * rowLen + at + j];
        at += len;
        return d;
      });
      return { dInputs, dParams: [] };
    },
  };
}

/** PReLU: relu(x) − alpha·relu(−x), alpha of the sample shape with the shared axes 1 (params [alpha]). */
export function prelu(alphaShape: readonly number[]): OracleOp {
  const relu = (v: number) => (v > 0 ? v : 0);
  const maps = (x: Val) => readIndex(x.shape, [1, ...alphaShape]);
  return {
    name: `prelu([${alphaShape}])`,
    forward([x], [alpha]) {
      const m = maps(x);
      return { data: x.data.map((v, p) => relu(v) - alpha[m[p]] * relu(-v)), shape: [...x.shape] };
    },
    backward([x], [alpha], _out, dy) {
      const m = maps(x);
      const dx = new Float64Array(x.data.length);
      const dAlpha = new Float64Array(alpha.length);
      for (let p = 0; p < dx.length; p++) {
        const v = x.data[p];
        // d relu(v)/dv = [v > 0], d relu(−v)/dv = −[v < 0] (TF's ReluGrad passes nothing at 0)
        dx[p] = dy[p] * ((v > 0 ? 1 : 0) + alpha[m[p]] * (v < 0 ? 1 : 0));
        dAlpha[m[p]] -= dy[p] * relu(-v);
      }
      return { dInputs: [dx], dParams: [dAlpha] };
    },
  };
}
