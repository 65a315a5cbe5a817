// Broadcasting elementwise ops (merge layers, PReLU, Average's division) over a collapsed
// 4-d index space. The op code is a constant inside each specialised loop nest (the switch in
// `broadcast` calls an @inline nest with a literal op), so no op branch runs per element.
import { Act, actScalar } from "./activations";
import { actV } from "./simd";

/** Identical to `BinaryOp` in bindings/backend/kernels/broadcast.ts. */
export const enum BinaryOp {
  Add = 0,
  Sub = 1,
  Mul = 2,
  Max = 3,
  Min = 4,
  Div = 5,
  PRelu = 6,
}

// @ts-ignore: decorator
@inline function opS(op: i32, x: f32, y: f32): f32 {
  if (op == BinaryOp.Add) return x + y;
  if (op == BinaryOp.Sub) return x - y;
  if (op == BinaryOp.Mul) return x * y;
  if (op == BinaryOp.Max) return Mathf.max(x, y); // f32.max: NaN-propagating, −0 < +0, like f32x4.max
  if (op == BinaryOp.Min) return Mathf.min(x, y);
  if (op == BinaryOp.Div) return x / y;
  // PRelu: relu(x) − alpha·relu(−x) with relu(v) = v < 0 ? 0 : v. Both sides computed and blended
  // with an integer mask: V8 turns a float select into a branch, mispredicted on random signs
  // (and binaryen turns an i32 select of reinterpreted floats back into a float select).
  const neg = reinterpret<i32>(<f32>0 - y * -x);
  const pos = reinterpret<i32>(x - y * <f32>0);
  const mask = -<i32>(x < 0);
  return reinterpret<f32>((neg & mask) | (pos & ~mask));
}

// @ts-ignore: decorator
@inline function opV(op: i32, x: v128, y: v128): v128 {
  if (op == BinaryOp.Add) return f32x4.add(x, y);
  if (op == BinaryOp.Sub) return f32x4.sub(x, y);
  if (op == BinaryOp.Mul) return f32x4.mul(x, y);
  if (op == BinaryOp.Max) return f32x4.max(x, y);
  if (op == BinaryOp.Min) return f32x4.min(x, y);
  if (op == BinaryOp.Div) return f32x4.div(x, y);
  const z = f32x4.splat(0); // PRelu; pmax(v, 0) = v < 0 ? 0 : v (one maxps; f32x4.max needs NaN/−0 fix-ups)
  return f32x4.sub(f32x4.pmax(x, z), f32x4.mul(y, f32x4.pmax(f32x4.neg(x), z)));
}

/** One output row of `inner` floats (op only); aIn/bIn say which side is contiguous (1) or one splatted value (0). */
// @ts-ignore: decorator
@inline function rowOp(op: i32, pa: usize, pb: usize, po: usize, bytes: usize, aIn: i32, bIn: i32): void {
  let j: usize = 0;
  if (aIn != 0 && bIn != 0) {
    // equal shapes (everything collapses into one row) and the per-channel vector broadcast
    if (ASC_FEATURE_SIMD) {
      for (; j + 16 <= bytes; j += 16) v128.store(po + j, opV(op, v128.load(pa + j), v128.load(pb + j)));
    }
    for (; j < bytes; j += 4) store<f32>(po + j, opS(op, load<f32>(pa + j), load<f32>(pb + j)));
  } else if (aIn != 0) {
    // b is one value for the whole row (a per-row or per-sample scalar)
    const y = load<f32>(pb);
    if (ASC_FEATURE_SIMD) {
      const yv = f32x4.splat(y);
      for (; j + 16 <= bytes; j += 16) v128.store(po + j, opV(op, v128.load(pa + j), yv));
    }
    for (; j < bytes; j += 4) store<f32>(po + j, opS(op, load<f32>(pa + j), y));
  } else if (bIn != 0) {
    const x = load<f32>(pa);
    if (ASC_FEATURE_SIMD) {
      const xv = f32x4.splat(x);
      for (; j + 16 <= bytes; j += 16) v128.store(po + j, opV(op, xv, v128.load(pb + j)));
    }
    for (; j < bytes; j += 4) store<f32>(po + j, opS(op, x, load<f32>(pb + j)));
  } else {
    const v = opS(op, load<f32>(pa), load<f32>(pb));
    for (; j < bytes; j += 4) store<f32>(po + j, v);
  }
}

/**
 * The fused activation over a row just written (still in L1). A separate pass, so that the op
 * loops carry no act selects: V8 lowers a float select to a branch, which mispredicts on
 * random signs (5x slower scalar Add when the linear case went through actScalar).
 */
// @ts-ignore: decorator
@inline function rowAct(po: usize, bytes: usize, act: i32, alpha: f32): void {
  let j: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const al = f32x4.splat(alpha);
    for (; j + 16 <= bytes; j += 16) v128.store(po + j, actV(v128.load(po + j), act, al));
  }
  for (; j < bytes; j += 4) store<f32>(po + j, actScalar(load<f32>(po + j), act, alpha));
}

// @ts-ignore: decorator
@inline function nest(op: i32, act: i32, alpha: f32, a: usize, b: usize, out: usize,
                      n0: i32, n1: i32, n2: i32, inner: i32,
                      a0: i32, a1: i32, a2: i32, aIn: i32, b0: i32, b1: i32, b2: i32, bIn: i32): void {
  const bytes = <usize>inner << 2;
  const sa0 = <usize>a0 << 2, sa1 = <usize>a1 << 2, sa2 = <usize>a2 << 2;
  const sb0 = <usize>b0 << 2, sb1 = <usize>b1 << 2, sb2 = <usize>b2 << 2;
  let po = out;
  for (let i0 = 0; i0 < n0; i0++) {
    const pa0 = a + <usize>i0 * sa0;
    const pb0 = b + <usize>i0 * sb0;
    for (let i1 = 0; i1 < n1; i1++) {
      let pa = pa0 + <usize>i1 * sa1;
      let pb = pb0 + <usize>i1 * sb1;
      for (let i2 = 0; i2 < n2; i2++) {
        rowOp(op, pa, pb, po, bytes, aIn, bIn);
        if (act != Act.Linear) rowAct(po, bytes, act, alpha);
        pa += sa2;
        pb += sb2;
        po += bytes;
      }
    }
  }
}

/**
 * broadcast: out[((i0·n1 + i1)·n2 + i2)·inner + j] =
 *   act(a[i0·a0 + i1·a1 + i2·a2 + j·aIn] op b[i0·b0 + i1·b1 + i2·b2 + j·bIn]), strides in floats.
 */
export function broadcast(op: i32, act: i32, alpha: f32, a: usize, b: usize, out: usize,
                          n0: i32, n1: i32, n2: i32, inner: i32,
                          a0: i32, a1: i32, a2: i32, aIn: i32, b0: i32, b1: i32, b2: i32, bIn: i32): void {
  switch (op) {
    case BinaryOp.Add: nest(BinaryOp.Add, act, alpha, a, b, out, n0, n1, n2, inner, a0, a1, a2, aIn, b0, b1, b2, bIn); break;
    case BinaryOp.Sub: nest(BinaryOp.Sub, act, alpha, a, b, out, n0, n1, n2, inner, a0, a1, a2, aIn, b0, b1, b2, bIn); break;
    case BinaryOp.Mul: nest(BinaryOp.Mul, act, alpha, a, b, out, n0, n1, n2, inner, a0, a1, a2, aIn, b0, b1, b2, bIn); break;
    case BinaryOp.Max: nest(BinaryOp.Max, act, alpha, a, b, out, n0, n1, n2, inner, a0, a1, a2, aIn, b0, b1, b2, bIn); break;
    case BinaryOp.Min: nest(BinaryOp.Min, act, alpha, a, b, out, n0, n1, n2, inner, a0, a1, a2, aIn, b0, b1, b2, bIn); break;
    case BinaryOp.Div: nest(BinaryOp.Div, act, alpha, a, b, out, n0, n1, n2, inner, a0, a1, a2, aIn, b0, b1, b2, bIn); break;
    default: nest(BinaryOp.PRelu, act, alpha, a, b, out, n0, n1, n2, inner, a0, a1, a2, aIn, b0, b1, b2, bIn); break;
  }
}
