import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { Add, Average, Concatenate, Input, Maximum, Minimum, Model, Multiply, Subtract, type Tensor, tensor } from '../../bindings/index.js';
import { BACKENDS, use } from '../util/backends.js';
import { mismatch } from '../util/close.js';
import * as naive from '../util/naive_merge.js';
import { rng } from '../util/rng.js';

/**
 * fast-check properties over random broadcast-compatible input sets (sample ranks 1–5, 1–4
 * inputs, dims 1–6, any of the six merge kinds) and random Concatenate axes: every backend equals
 * the float64 oracle exactly. Fixed seed: every run is the same run (UPCONV_FC_SEED / _SCALE soak).
 */

const SEED = Number(process.env.UPCONV_FC_SEED ?? 42);
const SCALE = Number(process.env.UPCONV_FC_SCALE ?? 1);
const runs = (n: number) => ({ seed: SEED, numRuns: Math.max(1, Math.round(n * SCALE)) });
const KINDS = ['add', 'subtract', 'multiply', 'average', 'maximum', 'minimum'] as const;
const LAYERS = { add: Add, subtract: Subtract, multiply: Multiply, average: Average, maximum: Maximum, minimum: Minimum };

/** An output sample shape, then per input a suffix of it (Keras's expand at axis 1) with some axes set to 1. */
const mergeArb = fc.record({
  out: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 5 }),
  kind: fc.constantFrom(...KINDS),
  inputs: fc.array(fc.record({ drop: fc.nat({ max: 4 }), ones: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }) }), { minLength: 1, maxLength: 4 }),
  batch: fc.integer({ min: 1, max: 3 }),
  seed: fc.nat(),
}).map((r) => {
  const inputs = r.kind === 'subtract' ? [...r.inputs, ...r.inputs].slice(0, 2) : r.inputs;
  const shapes = inputs.map(({ drop, ones }) => r.out.slice(Math.min(drop, r.out.length - 1)).map((d, k) => (ones[k] ? 1 : d)));
  return { kind: r.kind, shapes, batch: r.batch, seed: r.seed };
});

const concatArb = fc.record({
  base: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }),
  sizes: fc.array(fc.integer({ min: 1, max: 19 }), { minLength: 1, maxLength: 4 }),
  axisFromEnd: fc.boolean(),
  axis: fc.nat(),
  batch: fc.integer({ min: 1, max: 3 }),
  seed: fc.nat(),
}).map((r) => {
  const rank = r.base.length;
  const ax = r.axis % rank; // sample axis
  const shapes = r.sizes.map((n) => r.base.map((d, k) => (k === ax ? n : d)));
  return { shapes, axis: r.axisFromEnd ? ax - rank : ax + 1, batch: r.batch, seed: r.seed };
});

function tensors(shapes: number[][], batch: number, seed: number): Tensor[] {
  return shapes.map((s, i) => {
    const full = [batch, ...s];
    return tensor(rng(seed + i).uniformF32(full.reduce((a, b) => a * b, 1), -2, 2), full);
  });
}

async function predictAll(make: () => Model, xs: Tensor[]): Promise<Tensor[]> {
  const out: Tensor[] = [];
  for (const b of BACKENDS) {
    await use(b);
    out.push(make().predict(xs.length === 1 ? xs[0] : xs) as Tensor);
  }
  return out;
}

beforeAll(async () => {
  await use('js');
});

describe('merge and concatenate properties', () => {
  it('random broadcast sets: every backend equals the oracle', async () => {
    await fc.assert(fc.asyncProperty(mergeArb, async ({ kind, shapes, batch, seed }) => {
      const xs = tensors(shapes, batch, seed);
      const want = naive.merge(kind, xs);
      const make = () => {
        const inputs = shapes.map((s) => Input({ shape: s }));
        return new Model({ inputs, outputs: new LAYERS[kind]().apply(inputs) });
      };
      for (const got of await predictAll(make, xs)) {
        expect(got.shape).toEqual(want.shape);
        expect(mismatch(got.data, want.data, 0)).toBeNull();
      }
    }), runs(60));
  });

  it('random concatenations: every backend equals the oracle', async () => {
    await fc.assert(fc.asyncProperty(concatArb, async ({ shapes, axis, batch, seed }) => {
      const xs = tensors(shapes, batch, seed);
      const want = naive.concatenate(xs, axis);
      const make = () => {
        const inputs = shapes.map((s) => Input({ shape: s }));
        return new Model({ inputs, outputs: new Concatenate({ axis }).apply(inputs) });
      };
      for (const got of await predictAll(make, xs)) {
        expect(got.shape).toEqual(want.shape);
        expect(mismatch(got.data, want.data, 0)).toBeNull();
      }
    }), runs(60));
  });
});
