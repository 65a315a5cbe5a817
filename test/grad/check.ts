/**
 * The gradient check shared by test/grad/*.test.ts: for one case, the float64 oracle's analytic
 * gradients and central finite differences (computed once, backend-independent), then on each
 * backend `model.computeGradients(x, y, { loss, wrt })` against both.
 */
import { expect, it } from 'vitest';
import { getBackend, type Loss, type LossName, type Tensor, tensor } from '../../bindings/index.js';
import { BACKENDS, use } from '../util/backends.js';
import { Rng } from '../util/rng.js';
import { type BuiltChain, buildChain, type ChainOptions } from './chain.js';
import { analytic, finiteDifferences, type Problem } from './oracle/graph.js';
import type { LossSpec } from './oracle/losses.js';
import { maxAbs, size, val } from './oracle/values.js';

export interface GradCase extends Omit<ChainOptions, 'seed'> {
  name: string;
  batch: number;
  seed?: number;
  /** The loss for upconv and the oracle's spec of it (default mse). */
  loss?: { upconv: LossName | Loss; oracle: LossSpec };
  /** Targets (default U(−1, 1) of the output's shape). */
  targets?: (count: number, r: Rng) => Float32Array;
  inputs?: (count: number, r: Rng) => Float32Array;
  /** Pre-activations sit exactly on kinks: compare with the analytic oracle (TF's convention) only, finite differences cannot see it. */
  atKinks?: boolean;
  /** Allowed |got − want| as a fraction of the tensor's max |want| (plus the same fraction of 1e-3 · the largest gradient). */
  rtol?: number;
}

export interface Reference {
  built: BuiltChain;
  x: Tensor;
  y: Tensor;
  problem: Problem;
  loss: number;
  analytic: Float64Array[][];
  fd: Float64Array[][];
}

const MSE = { upconv: 'mse' as const, oracle: { name: 'mse' } as LossSpec };

/** Finite differences at every index of small tensors, at 240 spread indices (both ends included) of big ones. */
export function fdIndices(n: number): number[] | null {
  if (n <= 240) return null;
  const out = new Set<number>();
  for (let i = 0; i < 40; i++) {
    out.add(i);
    out.add(n - 1 - i);
  }
  for (let i = 0; i < 160; i++) out.add(Math.floor(((i + 0.5) * n) / 160));
  return [...out].sort((a, b) => a - b);
}

export function makeReference(c: GradCase): Reference {
  const seed = c.seed ?? 1;
  const built = buildChain({ ...c, seed, training: c.training ?? true });
  const r = new Rng(seed * 7919 + 17);
  const xn = c.batch * size(c.input);
  const x = tensor(c.inputs ? c.inputs(xn, r) : r.uniformF32(xn, -1, 1), [c.batch, ...c.input]);
  const yShape = c.loss?.oracle.name === 'scce' ? [c.batch, ...built.outputShape.slice(0, -1), 1] : [c.batch, ...built.outputShape];
  const y = tensor(c.targets ? c.targets(size(yShape), r) : r.uniformF32(size(yShape), -1, 1), yShape);
  const problem: Problem = { graph: built.graph, xs: [val(x.data, x.shape)], targets: [Float64Array.from(y.data)], loss: [(c.loss ?? MSE).oracle] };
  const sets = built.weighted.map((w) => w.set);
  const a = analytic(problem, sets);
  const fd = c.atKinks ? a.grads.map((g) => g.map((t) => new Float64Array(t.length).fill(Number.NaN))) : finiteDifferences(problem, sets, fdIndices);
  return { built, x, y, problem, loss: a.loss, analytic: a.grads, fd };
}

/**
 * First element where |got − want| > rtol·(max|want| of the tensor + floor·scale), or null;
 * NaN where `want` was not computed (finite differences at sampled indices) is skipped.
 */
export function gradMismatch(got: ArrayLike<number>, want: ArrayLike<number>, rtol: number, scale: number, floor = 1e-3): string | null {
  if (got.length !== want.length) return `length ${got.length} != ${want.length}`;
  let m = 0;
  for (let i = 0; i < want.length; i++) if (!Number.isNaN(want[i])) m = Math.max(m, Math.abs(want[i]));
  const allowed = rtol * (m + floor * scale) + 1e-12;
  for (let i = 0; i < want.length; i++) {
    if (Number.isNaN(want[i])) continue;
    if (!Number.isFinite(got[i]) || !(Math.abs(got[i] - want[i]) <= allowed)) return `index ${i}: got ${got[i]}, expected ${want[i]} (allowed ±${allowed.toExponential(2)})`;
  }
  return null;
}

/** The largest gradient of the model (the scale small tensors are measured against). */
function scaleOf(grads: Float64Array[][]): number {
  return Math.max(1e-30, ...grads.flat().map(maxAbs));
}

/** The oracle's analytic gradients equal its finite differences (this validates the oracle). */
export function oracleProblems(ref: Reference, rtol = 1e-6): string[] {
  const scale = scaleOf(ref.analytic);
  const out: string[] = [];
  ref.built.weighted.forEach((w, i) => w.names.forEach((n, j) => {
    if (!w.set.trainable[j]) return;
    const p = gradMismatch(ref.analytic[i][j], ref.fd[i][j], rtol, scale);
    if (p) out.push(`${w.layerName}/${n}: ${p}`);
  }));
  return out;
}

/** upconv's loss and gradients on the current backend against the oracle's analytic ones and its finite differences. */
export function backendProblems(ref: Reference, c: GradCase): string[] {
  const { model } = ref.built;
  const wrt = model.trainableWeights;
  const r = model.computeGradients(ref.x, ref.y, { loss: (c.loss ?? MSE).upconv, wrt });
  const out: string[] = [];
  if (!(Math.abs(r.loss - ref.loss) <= 1e-5 * Math.max(1, Math.abs(ref.loss)))) out.push(`loss ${r.loss}, expected ${ref.loss}`);
  const scale = scaleOf(ref.analytic);
  const rtol = c.rtol ?? 2e-4;
  const seen = new Set<string>();
  r.variables.forEach((v, k) => {
    const [layerName, spec] = v.name.split('/');
    const i = ref.built.weighted.findIndex((w) => w.layerName === layerName);
    const j = i < 0 ? -1 : ref.built.weighted[i].names.indexOf(spec);
    if (j < 0) {
      out.push(`unexpected variable ${v.name}`);
      return;
    }
    seen.add(v.name);
    if (r.gradients[k].shape.join() !== ref.built.weighted[i].shapes[j].join()) out.push(`${v.name}: gradient shape [${r.gradients[k].shape}]`);
    const a = gradMismatch(r.gradients[k].data, ref.analytic[i][j], rtol, scale);
    if (a) out.push(`${v.name} vs analytic: ${a}`);
    const f = gradMismatch(r.gradients[k].data, ref.fd[i][j], rtol, scale);
    if (f) out.push(`${v.name} vs finite differences: ${f}`);
  });
  // every trainable weight of the oracle got a gradient
  ref.built.weighted.forEach((w) => w.names.forEach((n, j) => {
    if (w.set.trainable[j] && !seen.has(`${w.layerName}/${n}`)) out.push(`no gradient for ${w.layerName}/${n}`);
  }));
  return out;
}

/** The tests of one case: the oracle against finite differences, then every backend against the oracle. */
export function itChecksGradients(c: GradCase): void {
  let ref: Reference | null = null;
  const get = () => (ref ??= makeReference(c));
  if (!c.atKinks) {
    it('oracle: analytic gradients equal finite differences', () => {
      expect(oracleProblems(get())).toEqual([]);
    });
  }
  it.each(BACKENDS)('computeGradients matches the oracle on %s', async (backend) => {
    await use(backend);
    expect(getBackend()).toBe(backend);
    expect(backendProblems(get(), c)).toEqual([]);
  });
}
