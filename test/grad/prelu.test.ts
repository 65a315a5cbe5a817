import { describe } from 'vitest';
import { PReLU } from '../../bindings/index.js';
import type { Rng } from '../util/rng.js';
import { type DagCase, type DagSpec, denseNode, denseWeights, itChecksDag } from './dag.js';
import { prelu } from './oracle/merge.js';

/**
 * PReLU backward: dx = dy where x > 0, alpha·dy where x < 0, 0 at x = 0 (TF differentiates
 * relu(x) − alpha·relu(−x): both relus pass nothing at 0); dalpha = −Σ dy·relu(−x) over the batch
 * and the shared axes. Behind a trainable Dense (its weights see dx), alpha shapes from
 * per-element to fully shared, channel counts on the SIMD tails, inputs exactly 0.
 */
interface P { input: number[]; shared: number[] | null; batch: number }
const table: P[] = [
  { input: [5], shared: null, batch: 3 },
  { input: [3, 4, 1], shared: [1, 2], batch: 3 },
  { input: [3, 4, 3], shared: [1, 2], batch: 2 },
  { input: [2, 3, 4], shared: null, batch: 2 },
  { input: [2, 3, 5], shared: [1], batch: 2 },
  { input: [2, 3, 8], shared: [2], batch: 3 },
  { input: [2, 2, 13], shared: [1, 2, 3], batch: 2 },
  { input: [3, 2, 17], shared: [3], batch: 2 },
  { input: [4, 17], shared: [1], batch: 3 },
];

function alphaShape(input: number[], shared: number[] | null): number[] {
  return input.map((d, k) => (shared?.includes(k + 1) ? 1 : d));
}

function spec(t: P, zeros = false) {
  return (r: Rng): DagSpec => {
    const c = t.input[t.input.length - 1];
    const inShape = [...t.input.slice(0, -1), 2];
    const shape = alphaShape(t.input, t.shared);
    const n = shape.reduce((a, b) => a * b, 1);
    let w = denseWeights(r, 2, c);
    if (zeros) {
      // a zero kernel: the PReLU input is the bias exactly, 0 on every other channel
      w.data[0].fill(0);
      w = { ...w, data: [w.data[0], w.data[1].map((b, i) => (i % 2 ? 0 : b))] };
    }
    return {
      inputs: [inShape],
      nodes: [
        denseNode(0, 2, c, r, w),
        { from: [1], layer: (name) => new PReLU({ name, sharedAxes: t.shared }), oracle: prelu(shape), weights: { names: ['alpha'], shapes: [shape], data: [r.uniformF32(n, -0.5, 1.5)] } },
        denseNode(2, c, 3, r),
      ],
    };
  };
}

const cases: DagCase[] = table.map((t, i) => ({
  name: `input (${t.input}), shared axes ${t.shared ? `[${t.shared}]` : 'none'}, batch ${t.batch}`, batch: t.batch, seed: 6600 + i, spec: spec(t),
}));
cases.push({ name: 'inputs exactly 0 on every other channel: no gradient through them', batch: 3, seed: 6650, atKinks: true, spec: spec({ input: [2, 3, 5], shared: [1, 2], batch: 3 }, true) });

describe('PReLU gradients', () => {
  for (const c of cases) describe(c.name, () => itChecksDag(c));
});
