import { describe } from 'vitest';
import { Activation, Add, Average, type Layer, LeakyReLU, Maximum, Minimum, Multiply, Subtract } from '../../bindings/index.js';
import type { Rng } from '../util/rng.js';
import { type DagCase, type DagNode, type DagSpec, denseNode, denseWeights, itChecksDag } from './dag.js';
import { elementwise } from './oracle/activations.js';
import { merge, type MergeName } from './oracle/merge.js';
import * as O from './oracle/ops.js';

/**
 * Merge-layer backward (Add, Subtract, Multiply, Average, Maximum, Minimum) with Keras's
 * broadcasting: each operand comes out of its own trainable Dense, so the gradient each operand
 * receives — summed over the axes it was broadcast along — reaches that Dense's weights. Shape
 * tables: equal shapes (one dense row), per-channel vectors of lower rank, size-1 axes on both
 * sides, a reduced channel axis (the kernel's inner reduction), a per-sample scalar, channel
 * counts on the SIMD tails, alternating broadcast axes past four collapsed axes (the odometer),
 * three inputs; ties in Maximum / Minimum routed as TF's `x >= y` / `x <= y` masks route them.
 */
const LAYERS: Record<MergeName, (name: string) => Layer> = {
  add: (name) => new Add({ name }),
  subtract: (name) => new Subtract({ name }),
  multiply: (name) => new Multiply({ name }),
  average: (name) => new Average({ name }),
  maximum: (name) => new Maximum({ name }),
  minimum: (name) => new Minimum({ name }),
};

/** Input i has the operand's shape with 2 features last; a Dense makes the operand. */
function operands(shapes: number[][], r: Rng, weights?: (i: number) => ReturnType<typeof denseWeights>): { inputs: number[][]; nodes: DagNode[] } {
  return {
    inputs: shapes.map((s) => [...s.slice(0, -1), 2]),
    nodes: shapes.map((s, i) => denseNode(i, 2, s[s.length - 1], r, weights?.(i))),
  };
}

function mergeSpec(name: MergeName, shapes: number[][], after: 'none' | 'relu' | 'leaky' = 'none') {
  return (r: Rng): DagSpec => {
    const { inputs, nodes } = operands(shapes, r);
    const from = shapes.map((_, i) => shapes.length + i);
    nodes.push({ from, layer: LAYERS[name], oracle: merge(name), list: true });
    const v = 2 * shapes.length;
    if (after === 'relu') nodes.push({ from: [v], layer: (n) => new Activation('relu', { name: n }), oracle: O.activation('relu', elementwise('relu')) });
    if (after === 'leaky') nodes.push({ from: [v], layer: (n) => new LeakyReLU({ name: n, alpha: 0.2 }), oracle: O.activation('leaky', elementwise('leaky_relu', 0.2)) });
    return { inputs, nodes };
  };
}

const TABLE: { shapes: number[][]; batch: number }[] = [
  { shapes: [[5], [5]], batch: 3 },
  { shapes: [[2, 3, 4], [2, 3, 4]], batch: 2 },
  { shapes: [[3, 4, 5], [5]], batch: 2 },
  { shapes: [[3, 4, 13], [1, 1, 13]], batch: 2 },
  { shapes: [[3, 1, 5], [1, 4, 1]], batch: 3 },
  { shapes: [[3, 4, 1], [3, 4, 13]], batch: 2 },
  { shapes: [[2, 3, 17], [1, 3, 1]], batch: 3 },
  { shapes: [[4, 5, 3], [1]], batch: 2 },
  { shapes: [[1], [3, 2, 8]], batch: 3 },
  { shapes: [[2, 1, 2, 1, 2, 1, 3], [1, 2, 1, 2, 1, 2, 3]], batch: 2 },
];

const cases: DagCase[] = [];
const names: MergeName[] = ['add', 'subtract', 'multiply', 'average', 'maximum', 'minimum'];
names.forEach((name, ni) => {
  TABLE.forEach((t, ti) => cases.push({
    name: `${name} ${t.shapes.map((s) => `(${s})`).join(' · ')}, batch ${t.batch}`,
    batch: t.batch, seed: 5000 + 100 * ni + ti, spec: mergeSpec(name, t.shapes),
  }));
});
for (const name of ['add', 'multiply', 'average', 'maximum', 'minimum'] as const) {
  cases.push({ name: `${name} of three: (3, 4, 5) · (5) · (3, 1, 1)`, batch: 2, seed: 5700 + names.indexOf(name), spec: mergeSpec(name, [[3, 4, 5], [5], [3, 1, 1]]) });
  cases.push({ name: `${name} of four: (2, 17) · (2, 17) · (1, 17) · (2, 1)`, batch: 3, seed: 5710 + names.indexOf(name), spec: mergeSpec(name, [[2, 17], [2, 17], [1, 17], [2, 1]]) });
}
cases.push(
  { name: 'add then relu (the activation rides on the merge\'s epilogue)', batch: 3, seed: 5800, spec: mergeSpec('add', [[3, 5], [3, 5]], 'relu') },
  { name: 'average then LeakyReLU(0.2)', batch: 3, seed: 5801, spec: mergeSpec('average', [[4, 3], [1, 3]], 'leaky') },
  { name: 'multiply then relu', batch: 2, seed: 5802, spec: mergeSpec('multiply', [[2, 3, 4], [2, 1, 4]], 'relu') },
  {
    name: 'add of one value twice: Add([h, h]) and Multiply([h, h])', batch: 3, seed: 5803, spec: (r) => ({
      inputs: [[4]],
      nodes: [
        denseNode(0, 4, 5, r),
        { from: [1, 1], layer: LAYERS.add, oracle: merge('add'), list: true },
        { from: [1, 1], layer: LAYERS.multiply, oracle: merge('multiply'), list: true },
        { from: [2, 3], layer: LAYERS.subtract, oracle: merge('subtract'), list: true },
      ],
    }),
  },
);

/**
 * Ties: operands from Dense layers with zero kernels are their biases exactly (in float32 and in
 * the oracle), so equal biases tie at every position; the kernels still get Σ x·g of what their
 * branch was routed.
 */
function tieSpec(name: 'maximum' | 'minimum', shapes: number[][], biases: number[][]) {
  return (r: Rng): DagSpec => {
    const { inputs, nodes } = operands(shapes, r, (i) => {
      const units = shapes[i][shapes[i].length - 1];
      const w = denseWeights(r, 2, units);
      w.data[0].fill(0);
      w.data[1].set(name === 'minimum' ? biases[i].map((b) => -b) : biases[i]); // the ties at the extreme either way
      return w;
    });
    nodes.push({ from: shapes.map((_, i) => shapes.length + i), layer: LAYERS[name], oracle: merge(name), list: true });
    return { inputs, nodes };
  };
}
for (const name of ['maximum', 'minimum'] as const) {
  cases.push(
    { name: `${name} ties on channels 0 and 2 go to the first input`, batch: 3, seed: 5900, atKinks: true, spec: tieSpec(name, [[3, 4], [3, 4]], [[0.5, 0.1, -0.25, 0.3], [0.5, 0.2, -0.25, 0.1]]) },
    { name: `${name} ties with broadcasting (3, 5) · (1, 5)`, batch: 2, seed: 5901, atKinks: true, spec: tieSpec(name, [[3, 5], [1, 5]], [[0.5, -0.1, 0.25, 0.3, 0.0], [0.5, 0.2, 0.25, -0.1, 0.0]]) },
    {
      name: `${name} of three with ties: 1st = 2nd, 2nd = 3rd, all three, none`, batch: 2, seed: 5902, atKinks: true,
      spec: tieSpec(name, [[2, 5], [2, 5], [2, 5]], [[0.5, 0.0, 0.25, 0.1, -0.3], [0.5, 0.4, 0.25, -0.2, 0.2], [0.1, 0.4, 0.25, 0.3, -0.1]]),
    },
  );
}

describe('merge-layer gradients', () => {
  for (const c of cases) describe(c.name, () => itChecksDag(c));
});
