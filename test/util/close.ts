/**
 * The conformance tolerance: |got - expected| <= tol · max(1, |expected|) elementwise, shapes
 * equal, and NaN or Infinity always fails. Returns null when close, else the first mismatch.
 */
export function mismatch(got: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-4): string | null {
  if (got.length !== expected.length) return `length ${got.length} != ${expected.length}`;
  for (let i = 0; i < got.length; i++) {
    const g = got[i];
    const e = expected[i];
    if (!Number.isFinite(g) || !Number.isFinite(e) || Math.abs(g - e) > tol * Math.max(1, Math.abs(e))) {
      return `index ${i}: got ${g}, expected ${e}`;
    }
  }
  return null;
}

/** Largest |got - expected| / max(1, |expected|). */
export function maxRelError(got: ArrayLike<number>, expected: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < got.length; i++) {
    const d = Math.abs(got[i] - expected[i]) / Math.max(1, Math.abs(expected[i]));
    if (!(d <= worst)) worst = Number.isNaN(d) ? Infinity : d;
  }
  return worst;
}
