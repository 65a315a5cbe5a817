import { describe } from 'vitest';
import { Concatenate } from '../../bindings/index.js';
import type { Rng } from '../util/rng.js';
import { type DagCase, type DagSpec, denseNode, itChecksDag } from './dag.js';
import { concatenate } from './oracle/merge.js';

/**
 * Concatenate backward (each input's gradient is its block of the output gradient) along every
 * axis of rank-2 to rank-4 inputs, 1 to 4 inputs, a value concatenated with itself, block widths
 * on the SIMD tails; every input comes out of a trainable Dense.
 */
interface Cat { shapes: number[][]; axis: number; batch: number }
const table: Cat[] = [
  { shapes: [[5], [3]], axis: -1, batch: 3 },
  { shapes: [[4]], axis: -1, batch: 2 },
  { shapes: [[3, 4, 2], [3, 4, 5]], axis: -1, batch: 2 },
  { shapes: [[2, 3, 4], [3, 3, 4]], axis: 1, batch: 2 },
  { shapes: [[2, 3, 4], [2, 1, 4], [2, 2, 4]], axis: 2, batch: 3 },
  { shapes: [[2, 3, 13], [2, 3, 17], [2, 3, 1], [2, 3, 8]], axis: 3, batch: 2 },
  { shapes: [[4, 1], [4, 3]], axis: -1, batch: 3 },
  { shapes: [[1, 5], [3, 5]], axis: 1, batch: 2 },
];

/** The concatenated axis' extents come from the Dense units (last axis) or from the input shapes. */
function spec(t: Cat) {
  return (r: Rng): DagSpec => {
    const inputs = t.shapes.map((s) => [...s.slice(0, -1), 2]);
    const nodes = t.shapes.map((s, i) => denseNode(i, 2, s[s.length - 1], r));
    const rank = t.shapes[0].length;
    const axis = t.axis < 0 ? rank - 1 : t.axis - 1;
    nodes.push({ from: t.shapes.map((_, i) => t.shapes.length + i), layer: (name) => new Concatenate({ name, axis: t.axis }), oracle: concatenate(axis), list: true });
    const outLast = axis === rank - 1 ? t.shapes.reduce((n, s) => n + s[rank - 1], 0) : t.shapes[0][rank - 1];
    nodes.push(denseNode(2 * t.shapes.length, outLast, 3, r));
    return { inputs, nodes };
  };
}

const cases: DagCase[] = table.map((t, i) => ({
  name: `axis ${t.axis}: ${t.shapes.map((s) => `(${s})`).join(' ++ ')}, batch ${t.batch}`, batch: t.batch, seed: 6500 + i, spec: spec(t),
}));
cases.push({
  name: 'a value concatenated with itself and with another', batch: 3, seed: 6550,
  spec: (r) => ({
    inputs: [[3, 2]],
    nodes: [
      denseNode(0, 2, 4, r),
      denseNode(0, 2, 3, r),
      { from: [1, 2, 1], layer: (name) => new Concatenate({ name }), oracle: concatenate(1), list: true },
      denseNode(3, 11, 2, r),
    ],
  }),
});

describe('Concatenate gradients', () => {
  for (const c of cases) describe(c.name, () => itChecksDag(c));
});
