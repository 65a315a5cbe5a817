import { describe } from 'vitest';
import { Cropping2D, ReflectionPadding2D, SymmetricPadding2D, TFOpLambda, ZeroPadding2D } from '../../bindings/index.js';
import type { Rng } from '../util/rng.js';
import { type DagCase, type DagNode, type DagSpec, denseNode, itChecksDag } from './dag.js';
import * as S from './oracle/shape.js';

/**
 * Backward of ZeroPadding2D (the crop of the gradient), Cropping2D (the gradient padded with
 * zeros), ReflectionPadding2D / SymmetricPadding2D (tf.pad REFLECT / SYMMETRIC: the interior plus
 * each border pixel added onto the pixel it mirrors) and TF's DepthToSpace (the inverse
 * permutation), behind a trainable per-pixel Dense and before another, against an oracle that
 * writes each forward as a gather and each backward as its adjoint. Pads asymmetric, zero on
 * some sides, as large as each mode allows (reflect H − 1, symmetric H) so borders fold onto
 * the far edge; channel counts on the SIMD tails.
 */
type Pads = [number, number, number, number];

function spec(input: number[], c: number, node: (from: number) => DagNode, outC = 3) {
  return (r: Rng): DagSpec => {
    const nodes = [denseNode(0, input[2], c, r), node(1)];
    // the per-pixel Dense after mixes channels, so every position's gradient differs
    nodes.push(denseNode(2, c, outC, r));
    return { inputs: [input], nodes };
  };
}

const cases: DagCase[] = [];
const zero: { hw: [number, number]; c: number; pads: Pads; batch: number }[] = [
  { hw: [2, 3], c: 1, pads: [1, 1, 1, 1], batch: 3 },
  { hw: [3, 2], c: 3, pads: [0, 2, 1, 0], batch: 2 },
  { hw: [1, 1], c: 4, pads: [2, 1, 0, 3], batch: 3 },
  { hw: [4, 3], c: 5, pads: [3, 0, 2, 2], batch: 1 },
  { hw: [2, 2], c: 8, pads: [1, 2, 2, 1], batch: 2 },
  { hw: [3, 3], c: 13, pads: [0, 0, 0, 1], batch: 2 },
  { hw: [2, 1], c: 17, pads: [1, 0, 1, 1], batch: 2 },
];
zero.forEach((t, i) => {
  const [top, bottom, left, right] = t.pads;
  cases.push({
    name: `ZeroPadding2D ${t.hw}×${t.c} pads ${t.pads}, batch ${t.batch}`, batch: t.batch, seed: 6000 + i,
    spec: spec([...t.hw, 2], t.c, (from) => ({ from: [from], layer: (name) => new ZeroPadding2D([[top, bottom], [left, right]], { name }), oracle: S.pad2d(t.pads, 'zeros') })),
  });
  // the same numbers as a crop of a larger image
  const big = [t.hw[0] + top + bottom, t.hw[1] + left + right];
  cases.push({
    name: `Cropping2D ${big}×${t.c} crop ${t.pads}, batch ${t.batch}`, batch: t.batch, seed: 6100 + i,
    spec: spec([...big, 2], t.c, (from) => ({ from: [from], layer: (name) => new Cropping2D([[top, bottom], [left, right]], { name }), oracle: S.crop2d(t.pads) })),
  });
});

const mirror: { hw: [number, number]; c: number; pads: Pads; batch: number }[] = [
  { hw: [3, 3], c: 1, pads: [1, 1, 1, 1], batch: 3 },
  { hw: [3, 4], c: 3, pads: [2, 2, 3, 3], batch: 2 }, // reflect's largest: H − 1 / W − 1 (symmetric one short of its largest)
  { hw: [4, 2], c: 4, pads: [0, 3, 1, 0], batch: 2 },
  { hw: [2, 3], c: 5, pads: [1, 0, 2, 1], batch: 3 },
  { hw: [5, 3], c: 8, pads: [4, 1, 0, 2], batch: 1 },
  { hw: [2, 2], c: 13, pads: [1, 1, 1, 1], batch: 2 },
  { hw: [3, 2], c: 17, pads: [2, 1, 1, 1], batch: 2 },
];
mirror.forEach((t, i) => {
  const [top, bottom, left, right] = t.pads;
  cases.push({
    name: `ReflectionPadding2D ${t.hw}×${t.c} pads ${t.pads}, batch ${t.batch}`, batch: t.batch, seed: 6200 + i,
    spec: spec([...t.hw, 2], t.c, (from) => ({ from: [from], layer: (name) => new ReflectionPadding2D([[top, bottom], [left, right]], { name }), oracle: S.pad2d(t.pads, 'reflect') })),
  });
  cases.push({
    name: `SymmetricPadding2D ${t.hw}×${t.c} pads ${t.pads}, batch ${t.batch}`, batch: t.batch, seed: 6300 + i,
    spec: spec([...t.hw, 2], t.c, (from) => ({ from: [from], layer: (name) => new SymmetricPadding2D([[top, bottom], [left, right]], { name }), oracle: S.pad2d(t.pads, 'symmetric') })),
  });
});
// symmetric allows a pad of the full size: every border pixel folds back over the whole image
cases.push({
  name: 'SymmetricPadding2D 2×3×5 pads [2, 2, 3, 3] (the full size)', batch: 2, seed: 6350,
  spec: spec([2, 3, 2], 5, (from) => ({ from: [from], layer: (name) => new SymmetricPadding2D([[2, 2], [3, 3]], { name }), oracle: S.pad2d([2, 2, 3, 3], 'symmetric') })),
});
cases.push({
  name: 'ZeroPadding2D → ReflectionPadding2D → Cropping2D in a row', batch: 2, seed: 6360,
  spec: (r) => ({
    inputs: [[3, 2, 2]],
    nodes: [
      denseNode(0, 2, 5, r),
      { from: [1], layer: (name) => new ZeroPadding2D([[1, 0], [0, 2]], { name }), oracle: S.pad2d([1, 0, 0, 2], 'zeros') },
      { from: [2], layer: (name) => new ReflectionPadding2D([[2, 1], [1, 3]], { name }), oracle: S.pad2d([2, 1, 1, 3], 'reflect') },
      { from: [3], layer: (name) => new Cropping2D([[1, 2], [3, 0]], { name }), oracle: S.crop2d([1, 2, 3, 0]) },
      denseNode(4, 5, 2, r),
    ],
  }),
});

// DepthToSpace (TFOpLambda tf.nn.depth_to_space): C′ = C/b² on the tails
for (const [b, Cp, hw, batch] of [[2, 1, [2, 3], 3], [2, 3, [1, 2], 2], [2, 5, [2, 2], 2], [3, 2, [2, 1], 2], [2, 17, [1, 1], 3], [4, 1, [1, 2], 2]] as const) {
  const C = Cp * b * b;
  cases.push({
    name: `DepthToSpace block ${b}: ${hw}×${C} → ${hw.map((d) => d * b)}×${Cp}, batch ${batch}`, batch, seed: 6400 + b * 31 + Cp,
    spec: (r) => ({
      inputs: [[...hw, 2]],
      nodes: [
        denseNode(0, 2, C, r),
        { from: [1], layer: (name) => new TFOpLambda({ name, function: 'nn.depth_to_space' }), oracle: S.depthToSpace(b), args: { kwargs: { block_size: b } } },
        denseNode(2, Cp, 3, r),
      ],
    }),
  });
}

describe('padding, cropping and DepthToSpace gradients', () => {
  for (const c of cases) describe(c.name, () => itChecksDag(c));
});
