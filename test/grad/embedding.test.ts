import { describe } from 'vitest';
import { Embedding, Multiply } from '../../bindings/index.js';
import type { Rng } from '../util/rng.js';
import { type DagCase, type DagSpec, denseNode, denseWeights, itChecksDag } from './dag.js';
import { merge } from './oracle/merge.js';
import * as S from './oracle/shape.js';

/**
 * Embedding backward: the output gradient rows added onto the rows their ids picked (ids repeat
 * within and across samples; some rows are never picked and get 0), no gradient for the ids
 * (TF's cast to int32 passes none: a trainable layer that computes the ids gets nothing from
 * this path). Rows of D = 1 … 17 floats hit the SIMD tails.
 */
function ids(count: number, V: number, r: Rng, fraction = false): Float32Array {
  // only the lower half of the table, so rows ≥ V/2 are never picked; fractions truncate
  return Float32Array.from({ length: count }, () => Math.floor(r.next() * Math.ceil(V / 2)) + (fraction ? r.next() * 0.99 : 0));
}

function spec(L: number[], V: number, D: number) {
  return (r: Rng): DagSpec => ({
    inputs: [L],
    nodes: [
      { from: [0], layer: (name) => new Embedding(V, D, { name }), oracle: S.embedding(V, D), weights: { names: ['embeddings'], shapes: [[V, D]], data: [r.uniformF32(V * D, -1, 1)] } },
      denseNode(1, D, 3, r),
    ],
  });
}

const cases: DagCase[] = [];
for (const [L, V, D, batch] of [[[4], 5, 1, 3], [[6], 3, 3, 2], [[2, 3], 7, 4, 3], [[5], 10, 5, 3], [[3], 4, 8, 4], [[4], 9, 13, 2], [[2], 6, 17, 3], [[1], 2, 2, 1]] as const) {
  cases.push({
    name: `ids (${L}) into a ${V}×${D} table, batch ${batch}, repeated ids and fractional ids`, batch, seed: 6700 + V * 10 + D,
    spec: spec([...L], V, D), inputs: (_i, n, r) => ids(n, V, r, D % 2 === 1),
  });
}
// the conditional-GAN pattern: a label embedding times a feature vector
cases.push({
  name: 'Embedding(label) × Dense(noise) (the conditional-GAN pattern)', batch: 4, seed: 6790,
  inputs: (i, n, r) => (i === 0 ? ids(n, 5, r) : r.uniformF32(n)),
  spec: (r) => ({
    inputs: [[1], [1, 6]],
    nodes: [
      { from: [0], layer: (name) => new Embedding(5, 6, { name }), oracle: S.embedding(5, 6), weights: { names: ['embeddings'], shapes: [[5, 6]], data: [r.uniformF32(30, -1, 1)] } },
      denseNode(1, 6, 6, r),
      { from: [2, 3], layer: (name) => new Multiply({ name }), oracle: merge('multiply'), list: true },
      denseNode(4, 6, 2, r),
    ],
  }),
});
// ids computed by a trainable Dense (zero kernel, fractional biases): that Dense gets no gradient through the ids
cases.push({
  name: 'ids from a trainable Dense get no gradient (the cast passes none)', batch: 3, seed: 6791,
  spec: (r) => {
    const w = denseWeights(r, 2, 3);
    w.data[0].fill(0);
    w.data[1].set([2.5, 0.25, 3.75]);
    return {
      inputs: [[2]],
      nodes: [
        denseNode(0, 2, 3, r, w),
        { from: [1], layer: (name) => new Embedding(5, 4, { name }), oracle: S.embedding(5, 4), weights: { names: ['embeddings'], shapes: [[5, 4]], data: [r.uniformF32(20, -1, 1)] } },
        denseNode(2, 4, 2, r),
      ],
    };
  },
});

describe('Embedding gradients', () => {
  for (const c of cases) describe(c.name, () => itChecksDag(c));
});
