import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BatchNormalization, Conv2D, Conv2DTranspose, Dense, init, type Layer, LeakyReLU, Sequential, setBackend, type Tensor, tensor,
  UpSampling2D,
} from '../bindings/index.js';
import { mismatch } from './util/close.js';
import * as naive from './util/naive.js';
import { type Rng, rng } from './util/rng.js';

/**
 * fast-check properties over random layer configurations built through the public API:
 *  - single layers: wasm and js both match the independent naive oracle;
 *  - chains of Conv2DTranspose / Conv2D / UpSampling2D / Dense / BatchNormalization / LeakyReLU:
 *    wasm ≈ js, and both ≈ the oracle applied layer by layer with float32 rounding (SEMANTICS §7);
 *  - output shapes equal the oracle's Keras formulas (wide ranges, no predict);
 *  - re-planning for another batch size or backend gives the same numbers.
 * Fixed seeds: every run is the same run. Chains are valid by construction (each layer is drawn
 * among those that fit the shape before it), so every run tests the layers it drew: before, an
 * invalid draw was dropped, or replaced by a lone LeakyReLU (seed 42: 82 of the 800 single-layer
 * runs, 167 of the 500 chains with a layer dropped, 14 of them down to the LeakyReLU).
 */

const TOL = 1e-4;
/** Soak runs: UPCONV_FC_SEED=7 UPCONV_FC_SCALE=20 npx vitest run ... (defaults: seed 42, scale 1). */
const SEED = Number(process.env.UPCONV_FC_SEED ?? 42);
const SCALE = Number(process.env.UPCONV_FC_SCALE ?? 1);
const runs = (n: number) => ({ seed: SEED, numRuns: Math.max(1, Math.round(n * SCALE)) });
const CHANNELS = [1, 3, 4, 5, 8, 13, 17];
const ACTS = ['linear', 'relu', 'sigmoid', 'tanh', 'leaky_relu'] as const;
type Act = (typeof ACTS)[number];
type Pair = [number, number];
type Shape3 = [number, number, number];

type Spec =
  | { kind: 'deconv'; filters: number; k: Pair; s: Pair; d: Pair; padding: 'same' | 'valid'; op: Pair | null; useBias: boolean; act: Act }
  | { kind: 'conv'; filters: number; k: Pair; s: Pair; d: Pair; padding: 'same' | 'valid'; useBias: boolean; act: Act }
  | { kind: 'up'; size: Pair; interpolation: 'nearest' | 'bilinear' }
  | { kind: 'dense'; units: number; useBias: boolean; act: Act }
  | { kind: 'bn'; center: boolean; scale: boolean; epsilon: number }
  | { kind: 'leaky'; alpha: number };

// ---------------------------------------------------------------------------- arbitraries

const channels = fc.constantFrom(...CHANNELS);
const act = fc.constantFrom(...ACTS);
const pairOf = (min: number, max: number) => fc.tuple(fc.integer({ min, max }), fc.integer({ min, max }));
const padding = fc.constantFrom('same' as const, 'valid' as const);

/** Dilation > 1 only with stride 1 on both axes (Keras rejects the mix); op < stride per axis. */
const deconvArb = fc.record({
  filters: channels, k: pairOf(1, 5), s: pairOf(1, 4), d: pairOf(1, 3), padding,
  op: fc.option(pairOf(0, 3), { nil: null }), useBias: fc.boolean(), act,
}).map((r): Spec => {
  const strided = r.s[0] > 1 || r.s[1] > 1;
  return {
    kind: 'deconv', ...r,
    d: strided ? [1, 1] : r.d,
    op: r.op ? [r.op[0] % r.s[0], r.op[1] % r.s[1]] : null,
  };
});

const convArb = fc.record({ filters: channels, k: pairOf(1, 7), s: pairOf(1, 3), d: pairOf(1, 3), padding, useBias: fc.boolean(), act })
  .map((r): Spec => ({ kind: 'conv', ...r, d: r.s[0] > 1 || r.s[1] > 1 ? [1, 1] : r.d }));

const upArb = fc.record({ size: pairOf(1, 4), interpolation: fc.constantFrom('nearest' as const, 'bilinear' as const) })
  .map((r): Spec => ({ kind: 'up', ...r }));

const denseArb = fc.record({ units: fc.oneof(channels, fc.integer({ min: 1, max: 40 })), useBias: fc.boolean(), act })
  .map((r): Spec => ({ kind: 'dense', ...r }));

const bnArb = fc.record({ center: fc.boolean(), scale: fc.boolean(), epsilon: fc.constantFrom(1e-3, 1e-5, 0.1) })
  .map((r): Spec => ({ kind: 'bn', ...r }));

const leakyArb = fc.constantFrom(0.3, 0.2, 0.01, 0.5).map((alpha): Spec => ({ kind: 'leaky', alpha }));

const specArb = fc.oneof(
  { arbitrary: deconvArb, weight: 4 }, { arbitrary: convArb, weight: 3 }, { arbitrary: upArb, weight: 2 },
  { arbitrary: denseArb, weight: 2 }, { arbitrary: bnArb, weight: 1 }, { arbitrary: leakyArb, weight: 1 },
);

const inputArb = fc.record({
  h: fc.integer({ min: 1, max: 6 }), w: fc.integer({ min: 1, max: 6 }), c: channels, batch: fc.integer({ min: 1, max: 3 }),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});

// ---------------------------------------------------------------------------- spec → shape, layer, weights, oracle

/** Output sample shape by the oracle's formulas, or null when Keras would give an empty axis. */
function outShape(spec: Spec, [h, w, c]: Shape3): Shape3 | null {
  let out: Shape3;
  switch (spec.kind) {
    case 'deconv':
      out = [
        naive.deconvOutputLength(h, spec.k[0], spec.s[0], spec.d[0], spec.padding, spec.op ? spec.op[0] : null),
        naive.deconvOutputLength(w, spec.k[1], spec.s[1], spec.d[1], spec.padding, spec.op ? spec.op[1] : null),
        spec.filters,
      ];
      break;
    case 'conv':
      out = [
        naive.convOutputLength(h, spec.k[0], spec.s[0], spec.d[0], spec.padding),
        naive.convOutputLength(w, spec.k[1], spec.s[1], spec.d[1], spec.padding),
        spec.filters,
      ];
      break;
    case 'up': out = [h * spec.size[0], w * spec.size[1], c]; break;
    case 'dense': out = [h, w, spec.units]; break;
    default: out = [h, w, c];
  }
  return out.every((d) => d >= 1) ? out : null;
}

/** Whether `spec` is valid on `shape` (Keras gives no empty axis) and keeps tensors small. */
function fits(spec: Spec, shape: Shape3, maxPixels: number): boolean {
  const out = outShape(spec, shape);
  return !!out && out[0] * out[1] <= maxPixels;
}

/** The sample shapes along a chain that fits (every spec valid on the shape before it). */
function shapesOf(sample: Shape3, specs: Spec[], maxPixels = SMALL): Shape3[] {
  const shapes: Shape3[] = [sample];
  for (const s of specs) {
    if (!fits(s, shapes[shapes.length - 1], maxPixels)) throw new Error(`the generator drew ${JSON.stringify(s)}, which does not fit ${JSON.stringify(shapes[shapes.length - 1])}`);
    shapes.push(outShape(s, shapes[shapes.length - 1])!);
  }
  return shapes;
}

/** Largest H·W of the chains that are predicted. */
const SMALL = 24 * 24;

/**
 * `length` specs drawn from `arb`, each valid on the shape the ones before it produce: valid by
 * construction, so every run tests the chain it drew (nothing is dropped or replaced).
 */
function chainOn(arb: fc.Arbitrary<Spec>, shape: Shape3, length: number, maxPixels: number): fc.Arbitrary<Spec[]> {
  if (length === 0) return fc.constant([]);
  return arb.filter((s) => fits(s, shape, maxPixels))
    .chain((s) => chainOn(arb, outShape(s, shape)!, length - 1, maxPixels).map((rest) => [s, ...rest]));
}

/** An input and a chain of minLength–maxLength specs that fits it. */
function inputAndChain<I extends { h: number; w: number; c: number }>(input: fc.Arbitrary<I>, arb: fc.Arbitrary<Spec>, minLength: number, maxLength: number, maxPixels = SMALL) {
  return fc.tuple(input, fc.integer({ min: minLength, max: maxLength }))
    .chain(([inp, n]) => chainOn(arb, [inp.h, inp.w, inp.c], n, maxPixels).map((specs) => ({ inp, specs })));
}

function makeLayer(spec: Spec, inputShape?: Shape3): Layer {
  const common = inputShape ? { inputShape } : {};
  switch (spec.kind) {
    case 'deconv':
      return new Conv2DTranspose(spec.filters, spec.k, {
        strides: spec.s, padding: spec.padding, outputPadding: spec.op, dilationRate: spec.d, activation: spec.act, useBias: spec.useBias, ...common,
      });
    case 'conv':
      return new Conv2D(spec.filters, spec.k, { strides: spec.s, padding: spec.padding, dilationRate: spec.d, activation: spec.act, useBias: spec.useBias, ...common });
    case 'up': return new UpSampling2D({ size: spec.size, interpolation: spec.interpolation, ...common });
    case 'dense': return new Dense(spec.units, { activation: spec.act, useBias: spec.useBias, ...common });
    case 'bn': return new BatchNormalization({ center: spec.center, scale: spec.scale, epsilon: spec.epsilon, ...common });
    case 'leaky': return new LeakyReLU({ alpha: spec.alpha, ...common });
  }
}

interface W {
  data: Float32Array;
  shape: number[];
}

/** Random Keras-layout weights for one layer (scaled so activations stay O(1) along a chain). */
function weightsFor(spec: Spec, [, , c]: Shape3, r: Rng): W[] {
  switch (spec.kind) {
    case 'deconv': {
      const [kh, kw] = spec.k;
      const ws: W[] = [{ data: r.normalF32(kh * kw * spec.filters * c, 1.2 / Math.sqrt(kh * kw * c)), shape: [kh, kw, spec.filters, c] }];
      if (spec.useBias) ws.push({ data: r.uniformF32(spec.filters, -0.5, 0.5), shape: [spec.filters] });
      return ws;
    }
    case 'conv': {
      const [kh, kw] = spec.k;
      const ws: W[] = [{ data: r.normalF32(kh * kw * c * spec.filters, 1.2 / Math.sqrt(kh * kw * c)), shape: [kh, kw, c, spec.filters] }];
      if (spec.useBias) ws.push({ data: r.uniformF32(spec.filters, -0.5, 0.5), shape: [spec.filters] });
      return ws;
    }
    case 'dense': {
      const ws: W[] = [{ data: r.normalF32(c * spec.units, 1.2 / Math.sqrt(c)), shape: [c, spec.units] }];
      if (spec.useBias) ws.push({ data: r.uniformF32(spec.units, -0.5, 0.5), shape: [spec.units] });
      return ws;
    }
    case 'bn': {
      const ws: W[] = [];
      if (spec.scale) ws.push({ data: Float32Array.from({ length: c }, () => r.uniform(0.5, 1.5) * (r.bool(0.85) ? 1 : -1)), shape: [c] });
      if (spec.center) ws.push({ data: r.uniformF32(c, -0.5, 0.5), shape: [c] });
      ws.push({ data: r.uniformF32(c, -1, 1), shape: [c] });
      ws.push({ data: r.uniformF32(c, 0.3, 2), shape: [c] });
      return ws;
    }
    default: return [];
  }
}

function oracleLayer(spec: Spec, x: ArrayLike<number>, xShape: number[], ws: W[]): naive.Result {
  const bias = (i: number) => (ws.length > i ? ws[i].data : null);
  switch (spec.kind) {
    case 'deconv':
      return naive.conv2dTranspose(x, xShape, ws[0].data, ws[0].shape, bias(1),
        { strides: spec.s, padding: spec.padding, outputPadding: spec.op, dilation: spec.d, activation: spec.act });
    case 'conv':
      return naive.conv2d(x, xShape, ws[0].data, ws[0].shape, bias(1), { strides: spec.s, padding: spec.padding, dilation: spec.d, activation: spec.act });
    case 'up': return naive.upSampling2d(x, xShape, spec.size, spec.interpolation);
    case 'dense': return naive.dense(x, xShape, ws[0].data, ws[0].shape, bias(1), spec.act);
    case 'bn': {
      const rest = [...ws];
      const gamma = spec.scale ? rest.shift()!.data : null;
      const beta = spec.center ? rest.shift()!.data : null;
      return naive.batchNorm(x, xShape, { gamma, beta, mean: rest[0].data, variance: rest[1].data, epsilon: spec.epsilon });
    }
    case 'leaky': return naive.leakyReLU(x, xShape, spec.alpha);
  }
}

interface Chain {
  model: Sequential;
  x: Tensor;
  want: naive.Result;
  shapes: Shape3[];
  specs: Spec[];
}

function buildChain(inp: { h: number; w: number; c: number; batch: number; seed: number }, specs: Spec[]): Chain {
  const sample: Shape3 = [inp.h, inp.w, inp.c];
  const shapes = shapesOf(sample, specs);
  const r = rng(inp.seed);
  const model = new Sequential();
  const weights: W[][] = [];
  specs.forEach((s, i) => {
    model.add(makeLayer(s, i === 0 ? sample : undefined));
    weights.push(weightsFor(s, shapes[i], r));
  });
  model.setWeights(weights.flat().map((w) => tensor(w.data, w.shape)));
  const x = tensor(r.uniformF32(inp.batch * inp.h * inp.w * inp.c, -1.5, 1.5), [inp.batch, ...sample]);
  let cur: naive.Result = { shape: x.shape, data: Float64Array.from(x.data) };
  specs.forEach((s, i) => {
    cur = naive.toF32(oracleLayer(s, cur.data, cur.shape, weights[i]));
  });
  return { model, x, want: cur, shapes, specs };
}

function describeChain(c: Chain): string {
  return `${c.specs.map((s) => JSON.stringify(s)).join(' → ')} on ${JSON.stringify(c.x.shape)}`;
}

function runBoth(model: Sequential, x: Tensor): { wasm: Tensor; js: Tensor } {
  setBackend('wasm');
  const wasm = model.predict(x);
  setBackend('js');
  const js = model.predict(x);
  setBackend('wasm');
  return { wasm, js };
}

beforeAll(async () => {
  await init();
});

describe('properties', () => {
  it('single layers: wasm and js both match the naive oracle', () => {
    fc.assert(fc.property(inputAndChain(inputArb, specArb, 1, 1), ({ inp, specs }) => {
      const c = buildChain(inp, specs);
      const { wasm, js } = runBoth(c.model, c.x);
      const where = describeChain(c);
      expect(wasm.shape, where).toEqual(c.want.shape);
      expect(js.shape, where).toEqual(c.want.shape);
      expect(mismatch(wasm.data, c.want.data, TOL), `wasm ${where}`).toBeNull();
      expect(mismatch(js.data, c.want.data, TOL), `js ${where}`).toBeNull();
    }), runs(800));
  });

  it('chains: wasm ≈ js, and both ≈ the oracle applied layer by layer', () => {
    fc.assert(fc.property(inputAndChain(inputArb, specArb, 1, 5), ({ inp, specs }) => {
      const c = buildChain(inp, specs);
      const { wasm, js } = runBoth(c.model, c.x);
      const where = describeChain(c);
      expect(wasm.shape, where).toEqual(js.shape);
      expect(mismatch(wasm.data, js.data, TOL), `wasm vs js ${where}`).toBeNull();
      expect(js.shape, where).toEqual(c.want.shape);
      expect(mismatch(js.data, c.want.data, TOL), `js vs oracle ${where}`).toBeNull();
      expect(mismatch(wasm.data, c.want.data, TOL), `wasm vs oracle ${where}`).toBeNull();
    }), runs(500));
  });

  it('output shapes, per layer and for the model, equal the oracle formulas (wide ranges, no predict)', () => {
    const wideDeconv = fc.record({
      filters: fc.integer({ min: 1, max: 64 }), k: pairOf(1, 9), s: pairOf(1, 6), d: pairOf(1, 4), padding,
      op: fc.option(pairOf(0, 5), { nil: null }), useBias: fc.boolean(), act,
    }).map((r): Spec => ({
      kind: 'deconv', ...r, d: r.s[0] > 1 || r.s[1] > 1 ? [1, 1] : r.d, op: r.op ? [r.op[0] % r.s[0], r.op[1] % r.s[1]] : null,
    }));
    const wideConv = fc.record({ filters: fc.integer({ min: 1, max: 64 }), k: pairOf(1, 9), s: pairOf(1, 5), d: pairOf(1, 4), padding, useBias: fc.boolean(), act })
      .map((r): Spec => ({ kind: 'conv', ...r, d: r.s[0] > 1 || r.s[1] > 1 ? [1, 1] : r.d }));
    const wideSpec = fc.oneof(wideDeconv, wideConv, upArb, denseArb, bnArb, leakyArb);
    const wideInput = fc.record({ h: fc.integer({ min: 1, max: 64 }), w: fc.integer({ min: 1, max: 64 }), c: fc.integer({ min: 1, max: 32 }) });
    fc.assert(fc.property(inputAndChain(wideInput, wideSpec, 1, 4, 512 * 512), ({ inp, specs }) => {
      const sample: Shape3 = [inp.h, inp.w, inp.c];
      const shapes = shapesOf(sample, specs, 512 * 512);
      const model = new Sequential();
      specs.forEach((s, i) => model.add(makeLayer(s, i === 0 ? sample : undefined)));
      const where = `${specs.map((s) => JSON.stringify(s)).join(' → ')} on ${JSON.stringify(sample)}`;
      model.layers.forEach((l, i) => expect(l.outputShape, `layer ${i} ${where}`).toEqual([null, ...shapes[i + 1]]));
      expect(model.outputShape, where).toEqual([null, ...shapes[shapes.length - 1]]);
      // parameter counts from Keras's layouts
      let params = 0;
      specs.forEach((s, i) => {
        const cin = shapes[i][2];
        if (s.kind === 'deconv' || s.kind === 'conv') params += s.k[0] * s.k[1] * cin * s.filters + (s.useBias ? s.filters : 0);
        if (s.kind === 'dense') params += cin * s.units + (s.useBias ? s.units : 0);
        if (s.kind === 'bn') params += cin * (2 + (s.center ? 1 : 0) + (s.scale ? 1 : 0));
      });
      expect(model.countParams(), where).toBe(params);
    }), runs(1000));
  });

  it('re-planning: a smaller batch, then the other backend, gives the same per-sample numbers', () => {
    fc.assert(fc.property(inputAndChain(inputArb, specArb, 1, 3), ({ inp, specs }) => {
      const c = buildChain({ ...inp, batch: 3 }, specs);
      setBackend('wasm');
      const full = c.model.predict(c.x);
      const per = full.data.length / 3;
      const n = c.x.data.length / 3;
      const one = c.model.predict(tensor(c.x.data.slice(n, 2 * n), [1, ...c.x.shape.slice(1)]));
      const where = describeChain(c);
      expect(mismatch(one.data, full.data.subarray(per, 2 * per), 1e-6), `batch 1 vs batch 3 ${where}`).toBeNull();
      setBackend('js');
      const again = c.model.predict(c.x);
      setBackend('wasm');
      const back = c.model.predict(c.x);
      expect(mismatch(again.data, full.data, TOL), `js after wasm ${where}`).toBeNull();
      expect(Array.from(back.data), `wasm again ${where}`).toEqual(Array.from(full.data));
    }), runs(150));
  });
});
