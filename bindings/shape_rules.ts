/**
 * Keras's per-axis shape rules (../shared/conformance/SEMANTICS.md §1–§4):
 * keras/src/backend/common/backend_utils.py and keras/src/ops/operation_utils.py.
 * A dimension may be null (unknown until predict, as in Keras's `(None, None, 3)` inputs).
 */

export type Padding = 'valid' | 'same';

/** One dimension of a symbolic shape: a size, or null when it is known only at run time. */
export type Dim = number | null;

/** A sample shape (the batch axis left out); dimensions may be null. */
export type Shape = readonly Dim[];

/** Largest size of one dimension, and of one sample (values), that upconv plans for. */
export const MAX_DIM = 2 ** 24;
export const MAX_SAMPLE_VALUES = 2 ** 30;

/** Effective kernel extent with dilation. */
export function effectiveKernel(k: number, d: number): number {
  return (k - 1) * d + 1;
}

/** Conv2D output length and the padding before the first input (extra pixel at the end). */
export function convAxis(n: number, k: number, s: number, d: number, padding: Padding): { length: number; padBefore: number } {
  const ke = effectiveKernel(k, d);
  if (padding === 'valid') return { length: n >= ke ? Math.floor((n - ke) / s) + 1 : 0, padBefore: 0 };
  const length = Math.ceil(n / s);
  const total = Math.max((length - 1) * s + ke - n, 0);
  return { length, padBefore: Math.floor(total / 2) };
}

/**
 * Conv2DTranspose output length and where the output window starts in the full (uncropped)
 * scatter output `full[i·s + a·d] += x[i]·K[a]` of length (n-1)·s + ke.
 * `op` is output_padding, or null when Keras's config has None.
 */
export function deconvAxis(n: number, k: number, s: number, d: number, padding: Padding, op: number | null): { length: number; cropStart: number } {
  const ke = effectiveKernel(k, d);
  if (padding === 'valid') {
    const length = op === null ? n * s + Math.max(ke - s, 0) : (n - 1) * s + ke + op;
    return { length, cropStart: 0 };
  }
  const length = op === null ? n * s : (n - 1) * s + (ke % 2) + op;
  const total = op === null ? s + ke - 2 : ke + (ke % 2) - 2 + op;
  const lo = Math.min(Math.ceil(total / 2), ke - 1);
  return { length, cropStart: ke - 1 - lo };
}

/** f(d) for a known dimension, null for an unknown one. */
export function mapDim(d: Dim, f: (n: number) => number): Dim {
  return d === null ? null : f(d);
}

/** The shape as concrete numbers, or null when a dimension is unknown. */
export function concrete(shape: Shape): number[] | null {
  return shape.every((d) => d !== null) ? (shape as number[]) : null;
}

/** Python's str() of a shape with a None batch: (None, 5, 5, 128); unknown dims are None too. */
export function shapeString(shape: Shape): string {
  return `(None, ${shape.map((d) => (d === null ? 'None' : String(d))).join(', ')})`;
}

/** Product of known dimensions (null when one is unknown). */
export function sizeOfShape(shape: Shape): number | null {
  let n = 1;
  for (const d of shape) {
    if (d === null) return null;
    n *= d;
  }
  return n;
}

/** One output position's bilinear taps (Keras/TF2 half-pixel rule with edge clamping). */
export function bilinearTap(j: number, f: number, n: number): { i0: number; i1: number; w: number } {
  const src = Math.max((j + 0.5) / f - 0.5, 0);
  const i0 = Math.min(Math.floor(src), n - 1);
  const i1 = Math.min(i0 + 1, n - 1);
  return { i0, i1, w: src - i0 };
}
