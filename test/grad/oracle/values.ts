/**
 * Float64 values for the gradient oracle (test/grad/oracle/). Nothing here imports the package:
 * the oracle is written from ../shared/conformance/SEMANTICS.md and ../shared/training/SEMANTICS.md.
 */

/** A batch of values: NHWC (or N…C) data in float64, the batch first in `shape`. */
export interface Val {
  readonly data: Float64Array;
  readonly shape: readonly number[];
}

export function size(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function val(data: ArrayLike<number>, shape: readonly number[]): Val {
  const d = Float64Array.from(data);
  if (d.length !== size(shape)) throw new Error(`oracle: ${d.length} values for shape [${shape}]`);
  return { data: d, shape: [...shape] };
}

export function zeros(shape: readonly number[]): Val {
  return { data: new Float64Array(size(shape)), shape: [...shape] };
}

/** a += b elementwise. */
export function addInto(a: Float64Array, b: ArrayLike<number>): void {
  for (let i = 0; i < a.length; i++) a[i] += b[i];
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}
