import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, Conv2D, init, MemoryLimitError, modelFromJSON, Sequential, setBackend, type Tensor, tensor, UpSampling2D } from '../../bindings/index.js';
import { BACKENDS, itMatchesOracle, itRunsOnRequestedBackend, use } from '../util/backends.js';
import { maxRelError, mismatch } from '../util/close.js';
import * as naive from '../util/naive.js';
import { bicubicCoeffs, bicubicWeights, computeSpans, type TfMethod, tfUpSampling2d } from '../util/naive_resize.js';
import { rng } from '../util/rng.js';

/**
 * UpSampling2D bicubic, area, lanczos3, lanczos5, gaussian, mitchellcubic (SEMANTICS-functional §4:
 * TensorFlow's ResizeBicubic, ScaleAndTranslate and ResizeArea) on every backend against the
 * float64 oracle in test/util/naive_resize.ts, over every factor pair 1..5 × 1..5, inputs smaller
 * and larger than the kernels' support, channel tails and batches.
 */

type Pair = [number, number];

const TOL = 1e-5;
const METHODS: readonly TfMethod[] = ['bicubic', 'area', 'lanczos3', 'lanczos5', 'gaussian', 'mitchellcubic'];
const CHANNELS = [1, 3, 4, 5, 8, 13, 16, 17];
const SIDES = [1, 2, 3, 4, 5, 7, 12];

interface Case {
  name: string;
  input: Pair;
  batch: number;
  channels: number;
  size: Pair;
  method: TfMethod;
  seed: number;
}

function buildTable(): Case[] {
  const cases: Case[] = [];
  let seed = 7000;
  for (const method of METHODS) for (let fh = 1; fh <= 5; fh++) for (let fw = 1; fw <= 5; fw++) {
    const r = rng(seed);
    // every third case is wider than lanczos5's 11 taps on one axis
    const input: Pair = seed % 3 === 0 ? [r.pick(SIDES), 12] : [r.pick(SIDES), r.pick(SIDES)];
    const c: Case = { name: '', input, batch: r.int(1, 3), channels: r.pick(CHANNELS), size: [fh, fw], method, seed: seed++ };
    c.name = `${method} in=${c.batch}x${input.join('x')}x${c.channels} size=${fh}x${fw}`;
    cases.push(c);
  }
  return cases;
}

function build(c: Case) {
  const r = rng(c.seed * 5 + 1);
  const model = new Sequential([new UpSampling2D({ size: c.size, interpolation: c.method, inputShape: [c.input[0], c.input[1], c.channels] })]);
  const shape = [c.batch, c.input[0], c.input[1], c.channels];
  const x = tensor(r.uniformF32(shape.reduce((a, b) => a * b), -3, 3), shape);
  return { model, x, want: tfUpSampling2d(x.data, x.shape, c.size, c.method) };
}

const table = buildTable();

/** gaussian / mitchellcubic cases from test/fixtures/tf_resize/make_cases.py (NumPy, dense weight matrices). */
interface FixtureCase { interpolation: 'gaussian' | 'mitchellcubic'; size: Pair; input: { shape: number[]; data: number[] }; expected: { shape: number[]; data: number[] } }
const fixtures: FixtureCase[] = JSON.parse(readFileSync(new URL('../fixtures/tf_resize/cases.json', import.meta.url), 'utf8')).cases;

beforeAll(async () => {
  await init();
});

describe('UpSampling2D TF interpolations: the oracle (TF C++ rules)', () => {
  it('bicubic reads the 1024-step Keys table: factor 3 puts delta 2/3 at entry 683, not at the exact cubic', () => {
    const keysCubic = (t: number) => {
      const a = -0.5;
      t = Math.abs(t);
      return t <= 1 ? ((a + 2) * t - (a + 3)) * t * t + 1 : t < 2 ? ((a * t - 5 * a) * t + 8 * a) * t - 4 * a : 0;
    };
    // output 6 of a length-4 axis at factor 3 samples 6.5/3 − 0.5 = 1 + 2/3: taps 0..3, all inside
    const { w, idx } = bicubicWeights(Math.fround(4 / 12), 6, 4);
    expect(idx).toEqual([0, 1, 2, 3]);
    const q = 683 / 1024;
    const fromTable = [keysCubic(1 + q), keysCubic(q), keysCubic(1 - q), keysCubic(2 - q)];
    for (let i = 0; i < 4; i++) expect(w[i]).toBeCloseTo(fromTable[i], 6);
    const exact = [keysCubic(5 / 3), keysCubic(2 / 3), keysCubic(1 / 3), keysCubic(4 / 3)];
    expect(Math.max(...w.map((v, i) => Math.abs(v - exact[i])))).toBeGreaterThan(1e-4);
    const t = bicubicCoeffs(-0.5);
    expect([t[0], t[1], t[2048], t[2049]]).toEqual([1, 0, 0, 0]); // W0(0), W1(1), W0(1), W1(2)
  });

  it('bicubic drops the taps outside the image and renormalises what is left', () => {
    // output 0 at factor 2 samples −0.25: taps −2, −1 are outside, 0 and 1 keep W0(¼), W1(1¼)
    const { w } = bicubicWeights(Math.fround(0.5), 0, 5);
    const w0 = Math.fround(1 - 0.1328125);
    const w1 = Math.fround(-0.0703125);
    expect(w[0]).toBe(0);
    expect(w[1]).toBe(0);
    expect(w[2]).toBeCloseTo(w0 / (w0 + w1), 6);
    expect(w[3]).toBeCloseTo(w1 / (w0 + w1), 6);
  });

  it('lanczos spans: half-pixel centres, 2r + 1 taps at most, clamped to the image, weights summing to 1', () => {
    const lanczos3 = (t: number) => (t === 0 ? 1 : Math.abs(t) >= 3 ? 0 : (3 * Math.sin(Math.PI * t) * Math.sin(Math.PI * t / 3)) / (Math.PI * Math.PI * t * t));
    const s = computeSpans({ radius: 3, at: lanczos3 }, 20, 10, 2);
    expect(s.spanSize).toBe(7);
    expect(s.starts.slice(0, 6)).toEqual([0, 0, 0, 0, 0, 0]);
    for (let j = 0; j < 20; j++) {
      const row = s.weights.subarray(j * 7, j * 7 + 7);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    }
    // interior output 9 samples 4.75: taps 2..7 at distances 2.25 … −2.75 (the 7th slot stays 0)
    const row = Array.from(s.weights.subarray(9 * 7, 10 * 7));
    const raw = [2, 3, 4, 5, 6, 7].map((i) => lanczos3(i + 0.5 - 4.75));
    const sum = raw.reduce((a, b) => a + b, 0);
    expect(s.starts[9]).toBe(2);
    raw.forEach((v, i) => expect(row[i]).toBeCloseTo(v / sum, 6));
    expect(row[6]).toBe(0);
  });

  it('every interpolation keeps a constant image constant (edge renormalisation)', () => {
    for (const method of METHODS) for (const size of [[1, 1], [2, 3], [5, 4]] as Pair[]) {
      const got = tfUpSampling2d(new Float64Array(2 * 3 * 4 * 2).fill(-1.75), [2, 3, 4, 2], size, method);
      expect(maxRelError(got.data, new Float64Array(got.data.length).fill(-1.75)), `${method} ${size}`).toBeLessThan(1e-6);
    }
  });

  it('area by 2 is repetition; by 5 on 300 pixels it is not (TF\'s float32 cell edges)', () => {
    const x = Float64Array.from({ length: 300 }, (_, i) => i + 1);
    const by2 = tfUpSampling2d(x, [1, 1, 300, 1], [1, 2], 'area');
    expect(Array.from(by2.data)).toEqual(Array.from(naive.upSampling2d(x, [1, 1, 300, 1], [1, 2], 'nearest').data));
    const by5 = tfUpSampling2d(x, [1, 1, 300, 1], [1, 5], 'area');
    const rep = naive.upSampling2d(x, [1, 1, 300, 1], [1, 5], 'nearest');
    expect(maxRelError(by5.data, rep.data)).toBeGreaterThan(1e-5);
    expect(maxRelError(by5.data, rep.data)).toBeLessThan(1e-3);
  });
});

describe('UpSampling2D TF interpolations: the oracle agrees with the NumPy second opinion', () => {
  it.each(fixtures.map((c) => [`${c.interpolation} ${c.input.shape.join('x')} size=${c.size.join('x')}`, c] as const))('%s', (_n, c) => {
    const got = tfUpSampling2d(c.input.data, c.input.shape, c.size, c.interpolation);
    expect(got.shape).toEqual(c.expected.shape);
    expect(mismatch(got.data, c.expected.data, TOL)).toBeNull();
  });

  it('covers both methods', () => {
    expect(new Set(fixtures.map((c) => c.interpolation))).toEqual(new Set(['gaussian', 'mitchellcubic']));
  });
});

describe('UpSampling2D TF interpolations: the table covers what it should', () => {
  it('hits every method × factor pair, the channel tails, batches and wide inputs', () => {
    for (const m of METHODS) for (let fh = 1; fh <= 5; fh++) for (let fw = 1; fw <= 5; fw++) {
      expect(table.some((c) => c.method === m && c.size[0] === fh && c.size[1] === fw)).toBe(true);
    }
    for (const ch of CHANNELS) expect(table.some((c) => c.channels === ch), `channels ${ch}`).toBe(true);
    for (const b of [1, 2, 3]) expect(table.some((c) => c.batch === b)).toBe(true);
    for (const m of METHODS) {
      expect(table.some((c) => c.method === m && c.input[1] === 12 && c.batch > 1)).toBe(true);
      expect(table.some((c) => c.method === m && (c.input[0] === 1 || c.input[1] === 1))).toBe(true);
    }
  });
});

function kerasConfig(interpolation: string, keras3: boolean): object {
  const up = keras3
    ? {
      module: 'keras.layers', class_name: 'UpSampling2D', registered_name: null,
      config: { name: 'up_sampling2d', trainable: true, dtype: { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null },
        size: [2, 3], data_format: 'channels_last', interpolation },
      build_config: { input_shape: [null, 4, 3, 2] },
    }
    : { class_name: 'UpSampling2D', config: { name: 'up_sampling2d', trainable: true, dtype: 'float32', size: [2, 3], data_format: 'channels_last', interpolation } };
  const input = keras3
    ? { module: 'keras.layers', class_name: 'InputLayer', registered_name: null, config: { batch_shape: [null, 4, 3, 2], dtype: 'float32', sparse: false, name: 'input_layer' } }
    : { class_name: 'InputLayer', config: { batch_input_shape: [null, 4, 3, 2], dtype: 'float32', sparse: false, ragged: false, name: 'input_1' } };
  return { class_name: 'Sequential', config: { name: 'sequential', layers: [input, up] }, ...(keras3 ? {} : { keras_version: '2.15.0', backend: 'tensorflow' }) };
}

for (const backend of BACKENDS) {
  describe(`UpSampling2D TF interpolations vs oracle on ${backend}`, () => {
    itRunsOnRequestedBackend(backend);
    itMatchesOracle(backend, table, build, TOL);

    it('gaussian and mitchellcubic match the NumPy second opinion', async () => {
      await use(backend);
      for (const c of fixtures) {
        const [, h, w, ch] = c.input.shape;
        const m = new Sequential([new UpSampling2D({ size: c.size, interpolation: c.interpolation, inputShape: [h, w, ch] })]);
        const got = m.predict(tensor(Float32Array.from(c.input.data), c.input.shape));
        expect(got.shape).toEqual(c.expected.shape);
        expect(mismatch(got.data, c.expected.data, TOL), `${c.interpolation} ${c.input.shape}`).toBeNull();
      }
    });

    it('area by 5 on a 300-pixel row follows TF\'s drifting weights, not repetition', async () => {
      await use(backend);
      const x = tensor(Float32Array.from({ length: 2 * 300 * 3 }, (_, i) => 1 + (i % 900) / 3), [1, 2, 300, 3]);
      const m = new Sequential([new UpSampling2D({ size: [3, 5], interpolation: 'area', inputShape: [2, 300, 3] })]);
      const want = tfUpSampling2d(x.data, x.shape, [3, 5], 'area');
      const got = m.predict(x);
      expect(mismatch(got.data, want.data, 1e-6)).toBeNull();
      expect(maxRelError(want.data, naive.upSampling2d(x.data, x.shape, [3, 5], 'nearest').data)).toBeGreaterThan(1e-5);
    });

    it('Keras 3 and tf.keras configs of every interpolation load, predict as the oracle and round-trip', async () => {
      await use(backend);
      const r = rng(99);
      const x = tensor(r.uniformF32(2 * 4 * 3 * 2, -2, 2), [2, 4, 3, 2]);
      for (const method of METHODS) for (const keras3 of [false, true]) {
        if (keras3 && (method === 'gaussian' || method === 'mitchellcubic')) continue; // tf.keras 2.9+ only
        const m = modelFromJSON(kerasConfig(method, keras3));
        const want = tfUpSampling2d(x.data, x.shape, [2, 3], method);
        expect(mismatch((m.predict(x) as Tensor).data, want.data, TOL), `${method} keras3=${keras3}`).toBeNull();
        const again = modelFromJSON(m.toJSON());
        expect((again.layers[0].getConfig() as { interpolation: string }).interpolation).toBe(method);
        expect(mismatch((again.predict(x) as Tensor).data, want.data, TOL)).toBeNull();
      }
    });
  });
}

describe('UpSampling2D TF interpolations: plan once, run many', () => {
  it.each(['wasm', 'js'] as const)('200 predictInto calls on %s: same memory, same plan, same numbers', async (kind) => {
    await init();
    setBackend(kind);
    for (const interpolation of ['bicubic', 'lanczos5', 'area'] as const) {
      // area by 3 on 40 columns has drifting weights: the tap kernel, not the nearest shortcut
      const m = new Sequential([new UpSampling2D({ size: [2, 3], interpolation, inputShape: [6, 40, 5] })]);
      const x = tensor(Float32Array.from({ length: 2 * 6 * 40 * 5 }, (_, i) => Math.sin(i)), [2, 6, 40, 5]);
      const out = tensor(new Float32Array(2 * 12 * 120 * 5), [2, 12, 120, 5]);
      m.predictInto(x, out);
      const first = out.data.slice();
      const internals = m as unknown as { program: { memory: { buffer: ArrayBuffer } }; plan: object };
      const { buffer } = internals.program.memory;
      const bytes = buffer.byteLength;
      const plan = internals.plan;
      for (let i = 0; i < 200; i++) m.predictInto(x, out);
      expect(internals.program.memory.buffer).toBe(buffer);
      expect(buffer.byteLength).toBe(bytes);
      expect(internals.plan).toBe(plan);
      expect(out.data).toEqual(first);
      expect(mismatch(first, tfUpSampling2d(x.data, x.shape, [2, 3], interpolation).data, TOL)).toBeNull();
    }
  });
});

/** dL/dkernel, dL/dbias of Conv2D(1×1) → UpSampling2D under MSE, with Aᵀ from the oracle's matrix. */
function expectedGradients(x: Float32Array, xShape: number[], kernel: Float32Array, bias: Float32Array, y: Float32Array,
                           size: Pair, method: TfMethod): { dKernel: Float64Array; dBias: Float64Array } {
  const [N, H, W, C] = xShape;
  const F = bias.length;
  const OH = H * size[0];
  const OW = W * size[1];
  // the resize as a matrix: column i = the oracle's output for a unit image at pixel i
  const M: Float64Array[] = [];
  for (let i = 0; i < H * W; i++) {
    const e = new Float64Array(H * W);
    e[i] = 1;
    M.push(tfUpSampling2d(e, [1, H, W, 1], size, method).data);
  }
  const z = new Float64Array(N * H * W * F);
  for (let p = 0; p < N * H * W; p++) for (let f = 0; f < F; f++) {
    let a = bias[f];
    for (let c = 0; c < C; c++) a += x[p * C + c] * kernel[c * F + f];
    z[p * F + f] = Math.fround(a); // the conv's float32 output
  }
  const dKernel = new Float64Array(C * F);
  const dBias = new Float64Array(F);
  const count = N * OH * OW * F;
  for (let n = 0; n < N; n++) for (let f = 0; f < F; f++) {
    const out = new Float64Array(OH * OW);
    for (let i = 0; i < H * W; i++) for (let o = 0; o < OH * OW; o++) out[o] += M[i][o] * z[(n * H * W + i) * F + f];
    for (let i = 0; i < H * W; i++) {
      let dz = 0;
      for (let o = 0; o < OH * OW; o++) dz += M[i][o] * (2 * (Math.fround(out[o]) - y[((n * OH * OW) + o) * F + f])) / count;
      dBias[f] += dz;
      for (let c = 0; c < C; c++) dKernel[c * F + f] += x[(n * H * W + i) * C + c] * dz;
    }
  }
  return { dKernel, dBias };
}

for (const backend of BACKENDS) {
  describe(`UpSampling2D TF interpolations train on ${backend}`, () => {
    it('computeGradients through the resize equals the oracle\'s adjoint (Conv2D 1×1 → UpSampling2D, MSE)', async () => {
      await use(backend);
      let seed = 400;
      for (const method of METHODS) for (const size of [[2, 2], [3, 1], [1, 5]] as Pair[]) {
        const r = rng(seed++);
        const [N, H, W, C, F] = [2, 3, 5, 3, 2];
        const model = new Sequential();
        model.add(new Conv2D(F, 1, { inputShape: [H, W, C] }));
        model.add(new UpSampling2D({ size, interpolation: method }));
        const kernel = r.uniformF32(C * F, -1, 1);
        const bias = r.uniformF32(F, -0.5, 0.5);
        model.setWeights([tensor(kernel, [1, 1, C, F]), tensor(bias, [F])]);
        const x = r.uniformF32(N * H * W * C, -2, 2);
        const y = r.uniformF32(N * H * size[0] * W * size[1] * F, -1, 1);
        const got = model.computeGradients(tensor(x, [N, H, W, C]), tensor(y, [N, H * size[0], W * size[1], F]), { loss: 'mse' });
        const want = expectedGradients(x, [N, H, W, C], kernel, bias, y, size, method);
        const what = `${method} ${size}`;
        expect(mismatch(got.gradients[0].data, want.dKernel, 1e-5), what).toBeNull();
        expect(mismatch(got.gradients[1].data, want.dBias, 1e-5), what).toBeNull();
      }
    });
  });
}

describe('UpSampling2D TF interpolations: huge outputs', () => {
  it.each(['wasm', 'js'] as const)('a 4M-pixel-wide lanczos5 output over the memory limit fails with MemoryLimitError on %s', async (kind) => {
    await init();
    setBackend(kind);
    // 4096 × 1024 = 4.2M output columns: 200 MB of tap tables, reserved from the bound, never built
    const m = new Sequential({ memoryLimit: 32 * 2 ** 20 });
    m.add(new UpSampling2D({ size: [1, 1024], interpolation: 'lanczos5', inputShape: [1, 4096, 1], name: 'up_wide' }));
    expect(() => m.predict(tensor(new Float32Array(4096), [1, 1, 4096, 1]))).toThrow(MemoryLimitError);
    // nothing is left half-built: a small model plans and runs afterwards
    const small = new Sequential([new UpSampling2D({ size: [1, 3], interpolation: 'lanczos5', inputShape: [1, 4, 1] })]);
    expect(small.predict(tensor([1, 2, 3, 4], [1, 1, 4, 1])).shape).toEqual([1, 1, 12, 1]);
  });
});

describe('UpSampling2D interpolation names', () => {
  it('accepts every name Keras 3 / tf.keras 2.9+ writes and refuses others, listing them', () => {
    for (const i of ['nearest', 'bilinear', ...METHODS] as const) expect(new UpSampling2D({ interpolation: i }).interpolation).toBe(i);
    let err: unknown;
    try {
      new UpSampling2D({ interpolation: 'lanczos4' as 'area' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    for (const name of ['lanczos4', 'bicubic', 'area', 'lanczos3', 'lanczos5', 'gaussian', 'mitchellcubic']) {
      expect((err as Error).message).toContain(name);
    }
  });
});
