import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  Add, Average, Concatenate, Cropping2D, getBackend, type Layer, Maximum, Minimum, Multiply, PReLU, ReflectionPadding2D, Subtract,
  SymmetricPadding2D, tensor, ZeroPadding2D,
} from '../../bindings/index.js';
import { BACKENDS, use } from '../util/backends.js';
import { Rng } from '../util/rng.js';
import { gradMismatch } from './check.js';
import { buildDag, type DagNode, type DagSpec, denseNode } from './dag.js';
import { analytic, type Problem } from './oracle/graph.js';
import { concatenate, merge, type MergeName, prelu } from './oracle/merge.js';
import type { OracleOp } from './oracle/op.js';
import * as S from './oracle/shape.js';
import { maxAbs, size, val } from './oracle/values.js';

/**
 * fast-check properties: on random two-input graphs — a merge of two Dense outputs whose shapes
 * broadcast (size-1 axes drawn independently on each side, a lower-rank side), an optional third
 * operand, then a random shape layer (ZeroPadding2D, Cropping2D, reflection / symmetric padding,
 * a Concatenate with a branch, PReLU with random shared axes) and a Dense head — every backend's
 * loss and gradients equal the float64 oracle's. Fixed seed (UPCONV_FC_SEED / UPCONV_FC_SCALE as
 * in properties.test.ts); each run counts what it contained and the names are asserted.
 */
const SEED = Number(process.env.UPCONV_FC_SEED ?? 42);
const SCALE = Number(process.env.UPCONV_FC_SCALE ?? 1);
const RUNS = Math.max(1, Math.round(60 * SCALE));

const MERGES: MergeName[] = ['add', 'subtract', 'multiply', 'average', 'maximum', 'minimum'];
const LAYERS: Record<MergeName, (name: string) => Layer> = {
  add: (name) => new Add({ name }), subtract: (name) => new Subtract({ name }), multiply: (name) => new Multiply({ name }),
  average: (name) => new Average({ name }), maximum: (name) => new Maximum({ name }), minimum: (name) => new Minimum({ name }),
};
type After = 'none' | 'zero' | 'crop' | 'reflect' | 'symmetric' | 'concat' | 'prelu';

const graphArb = fc.record({
  h: fc.integer({ min: 1, max: 4 }), w: fc.integer({ min: 1, max: 4 }), c: fc.constantFrom(1, 3, 4, 5, 8, 13),
  bcast: fc.tuple(fc.boolean(), fc.boolean(), fc.boolean()), lowRank: fc.boolean(), third: fc.boolean(),
  op: fc.constantFrom(...MERGES), after: fc.constantFrom<After>('none', 'zero', 'crop', 'reflect', 'symmetric', 'concat', 'prelu'),
  pads: fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })),
  shared: fc.tuple(fc.boolean(), fc.boolean(), fc.boolean()), batch: fc.integer({ min: 1, max: 3 }), seed: fc.integer({ min: 1, max: 2 ** 30 }),
});
type G = typeof graphArb extends fc.Arbitrary<infer T> ? T : never;

/** The graph, or null when the drawn layer does not fit the shape (the run is skipped and not counted). */
function describeGraph(g: G, r: Rng): { spec: DagSpec; what: string[] } | null {
  const a = [g.h, g.w, g.c];
  const b = g.lowRank ? [g.bcast[2] ? 1 : g.c] : a.map((d, k) => (g.bcast[k] ? 1 : d));
  const third = g.third && g.op !== 'subtract';
  // the third operand (1, W, 1) broadcasts along the rows and the channels
  const inputs = [[g.h, g.w, 2], [...b.slice(0, -1), 2], ...(third ? [[1, g.w, 2]] : [])];
  const n = inputs.length;
  const nodes: DagNode[] = [denseNode(0, 2, g.c, r), denseNode(1, 2, b[b.length - 1], r), ...(third ? [denseNode(2, 2, 1, r)] : [])];
  const operands = inputs.map((_, i) => n + i);
  nodes.push({ from: operands, layer: LAYERS[g.op], oracle: merge(g.op), list: true });
  let v = inputs.length + nodes.length - 1;
  let shape = [...a];
  const [t, bo, l, ri] = g.pads;
  const [H, W] = shape;
  let layer: ((name: string) => Layer) | null = null;
  let oracle: OracleOp | null = null;
  switch (g.after) {
    case 'zero': layer = (name) => new ZeroPadding2D([[t, bo], [l, ri]], { name }); oracle = S.pad2d(g.pads, 'zeros'); shape = [H + t + bo, W + l + ri, g.c]; break;
    case 'crop':
      if (t + bo >= H || l + ri >= W) return null;
      layer = (name) => new Cropping2D([[t, bo], [l, ri]], { name }); oracle = S.crop2d(g.pads); shape = [H - t - bo, W - l - ri, g.c]; break;
    case 'reflect':
      if (Math.max(t, bo) >= H || Math.max(l, ri) >= W) return null;
      layer = (name) => new ReflectionPadding2D([[t, bo], [l, ri]], { name }); oracle = S.pad2d(g.pads, 'reflect'); shape = [H + t + bo, W + l + ri, g.c]; break;
    case 'symmetric':
      if (Math.max(t, bo) > H || Math.max(l, ri) > W) return null;
      layer = (name) => new SymmetricPadding2D([[t, bo], [l, ri]], { name }); oracle = S.pad2d(g.pads, 'symmetric'); shape = [H + t + bo, W + l + ri, g.c]; break;
    case 'concat':
      nodes.push({ from: [v, n], layer: (name) => new Concatenate({ name }), oracle: concatenate(2), list: true });
      v++;
      shape = [H, W, 2 * g.c];
      break;
    case 'prelu': {
      const axes = [1, 2, 3].filter((_, k) => g.shared[k]);
      const alpha = shape.map((d, k) => (g.shared[k] ? 1 : d));
      nodes.push({ from: [v], layer: (name) => new PReLU({ name, sharedAxes: axes.length ? axes : null }), oracle: prelu(alpha), weights: { names: ['alpha'], shapes: [alpha], data: [r.uniformF32(size(alpha), -0.5, 1.5)] } });
      v++;
      break;
    }
    default: break;
  }
  if (layer && oracle) {
    nodes.push({ from: [v], layer, oracle });
    v++;
  }
  nodes.push(denseNode(v, shape[2], 3, r));
  const what = [g.op, g.after, ...(third ? ['3 operands'] : []), ...(g.lowRank || g.bcast.some(Boolean) ? ['broadcast'] : [])];
  return { spec: { inputs, nodes }, what };
}

describe('every backend equals the oracle on random merge / padding graphs', () => {
  const seen = new Map<string, number>();
  let count = 0;
  afterAll(() => console.log(`merge properties: ${count} random graphs; ${[...seen].map(([k, n]) => `${n} ${k}`).join(', ')}`));
  it(`loss and gradients on ${RUNS} random draws (those whose layer fits the shape), all four backends`, async () => {
    await fc.assert(fc.asyncProperty(graphArb, async (g) => {
      const r = new Rng(g.seed);
      const d = describeGraph(g, r);
      if (!d) return;
      count++;
      for (const w of d.what) seen.set(w, (seen.get(w) ?? 0) + 1);
      const built = buildDag(d.spec, g.batch);
      const xs = d.spec.inputs.map((s) => tensor(r.uniformF32(g.batch * size(s)), [g.batch, ...s]));
      const y = tensor(r.uniformF32(g.batch * size(built.outputShape)), [g.batch, ...built.outputShape]);
      const problem: Problem = { graph: built.graph, xs: xs.map((x) => val(x.data, x.shape)), targets: [Float64Array.from(y.data)], loss: [{ name: 'mse' }] };
      const want = analytic(problem, built.weighted.map((w) => w.set));
      const scale = Math.max(1e-30, ...want.grads.flat().map(maxAbs));
      for (const backend of BACKENDS) {
        await use(backend);
        expect(getBackend()).toBe(backend);
        const got = built.model.computeGradients(xs, y, { loss: 'mse' });
        expect(Math.abs(got.loss - want.loss)).toBeLessThanOrEqual(1e-5 * Math.max(1, want.loss));
        const problems: string[] = [];
        got.variables.forEach((v, k) => {
          const [layerName, spec] = v.name.split('/');
          const i = built.weighted.findIndex((w) => w.layerName === layerName);
          const p = gradMismatch(got.gradients[k].data, want.grads[i][built.weighted[i].names.indexOf(spec)], 2e-4, scale);
          if (p) problems.push(`${backend} ${v.name}: ${p}`);
        });
        expect(problems).toEqual([]);
      }
    }), { seed: SEED, numRuns: RUNS });
    for (const k of [...MERGES, 'zero', 'crop', 'reflect', 'symmetric', 'concat', 'prelu', '3 operands', 'broadcast']) expect(seen.get(k) ?? 0, `runs with ${k}`).toBeGreaterThan(0);
  });
});
