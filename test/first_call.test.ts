import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeBase64, decodeBase64Loop } from '../bindings/backend/base64.js';
import { setKernelWarmup, warmUpKernels, warmupStats } from '../bindings/backend/warmup.js';
import { WASM_SIMD_B64 } from '../bindings/backend/wasm_inline.js';
import {
  Conv2D, Dense, init, Input, MemoryLimitError, Model, Sequential, setBackend, setSeed, type Tensor, tensor,
} from '../bindings/index.js';
import { firstNonFinite } from '../bindings/args.js';
import { loadModel } from '../bindings/io/index.js';
import { planStats } from '../bindings/model/program.js';
import { loadPlanBatch, planAtLoad } from '../bindings/model/warmup.js';
import { random } from '../bindings/random.js';
import { fixtureBytes, TINY_INPUT } from './io/tiny.js';
import { describeShared, MODELS } from './util/shared.js';

/**
 * The first predict after loadModel: the model is planned and packed at load (for its declared
 * batch or 1), the kernels are warmed up when a build is compiled, and neither changes anything
 * a user can observe. Checked through internal counters, never through times.
 */

const bits = (t: Tensor) => new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length);
const freshModule = () => new WebAssembly.Module(decodeBase64(WASM_SIMD_B64) as BufferSource);
const internals = (m: Model) => m as unknown as { plan: { batch: number } | null; program: object | null };

describe('planning at load', () => {
  it('the first predict after loadModel does not plan again; another batch does', async () => {
    await init();
    setBackend('wasm');
    const m = await loadModel(fixtureBytes('keras2_latest.h5'));
    expect(internals(m).plan?.batch).toBe(1);
    const before = { ...planStats };
    m.predict(tensor([[0.3, -1.2, 0.8]]));
    expect(planStats).toEqual(before);
    m.predict(TINY_INPUT); // batch 2
    expect(planStats).toEqual({ programs: before.programs, plans: before.plans + 1 });
  });

  it('a loaded model predicts the same bits as one that plans at its first predict', async () => {
    const a = await loadModel(fixtureBytes('keras2_latest.h5'));
    const b = await loadModel(fixtureBytes('keras2_latest.h5'));
    b.dispose(); // as if nothing was planned at load
    expect(internals(b).plan).toBeNull();
    const x = tensor([[0.3, -1.2, 0.8]]);
    expect(bits(a.predict(x) as Tensor)).toEqual(bits(b.predict(x) as Tensor));
  });

  it('leaves weights, the random stream and the name counters as they were', async () => {
    const m = await loadModel(fixtureBytes('keras2_latest.h5'));
    m.dispose();
    const weights = m.getWeights().map((w) => w.data.slice());
    const versions = m.layers.map((l) => l.weightsVersion);
    setSeed(11);
    const draws = [random(), random()];
    const name1 = new Dense(1).name;
    setSeed(11);
    expect(planAtLoad(m)).toBe(true);
    warmUpKernels(freshModule());
    expect([random(), random()]).toEqual(draws);
    const name2 = new Dense(1).name;
    expect(Number(name2.split('_').pop())).toBe(Number(name1.split('_').pop()) + 1);
    expect(m.getWeights().map((w) => w.data)).toEqual(weights);
    expect(m.layers.map((l) => l.weightsVersion)).toEqual(versions);
    expect(m.trainable).toBe(true);
  });

  it('plans for the batch the input declares, and not when a sample dimension is unknown', () => {
    const x = Input({ shape: [5], batchSize: 3 });
    const declared = new Model({ inputs: x, outputs: new Dense(4).apply(x) });
    expect(loadPlanBatch(declared)).toBe(3);
    expect(planAtLoad(declared)).toBe(true);
    expect(internals(declared).plan?.batch).toBe(3);
    const open = new Sequential([new Conv2D(2, 3, { inputShape: [null, null, 3] })]);
    expect(loadPlanBatch(open)).toBeNull();
    expect(planAtLoad(open)).toBe(false);
    expect(internals(open).program).toBeNull();
    const unbuilt = new Sequential([new Dense(2)]);
    expect(planAtLoad(unbuilt)).toBe(false);
  });

  it('a model that cannot be planned at load is left unplanned and says why at predict, as before', () => {
    const m = new Sequential([new Dense(64, { inputShape: [64] })]);
    m.memoryLimit = 1024; // less than the weights
    expect(planAtLoad(m)).toBe(false);
    expect(internals(m).program).toBeNull();
    expect(() => m.predict(tensor(new Float32Array(64), [1, 64]))).toThrow(MemoryLimitError);
  });
});

describe('kernel warm-up', () => {
  it('runs once per compiled module', () => {
    const mod = freshModule();
    const runs = warmupStats.runs;
    warmUpKernels(mod);
    warmUpKernels(mod);
    expect(warmupStats.runs).toBe(runs + 1);
  });

  it('outputs are the same bits with and without it', async () => {
    const m = await loadModel(fixtureBytes('keras2_latest.h5'));
    const x = TINY_INPUT;
    const runs = warmupStats.runs;
    setKernelWarmup(false);
    try {
      await init(decodeBase64(WASM_SIMD_B64)); // a new module: no warm-up
      expect(warmupStats.runs).toBe(runs);
      const cold = m.predict(x) as Tensor;
      setKernelWarmup(true);
      await init(decodeBase64(WASM_SIMD_B64));
      expect(warmupStats.runs).toBe(runs + 1);
      expect(bits(m.predict(x) as Tensor)).toEqual(bits(cold));
    } finally {
      setKernelWarmup(true);
    }
  });
});

describeShared('the MNIST generator from its file', () => {
  it('loads planned for batch 1; the first predict does not plan; outputs equal an unplanned load', async () => {
    await init();
    const bytes = new Uint8Array(readFileSync(join(MODELS, 'wgan-mnist3-convtranspose', 'generator_model.h5')));
    const a = await loadModel(bytes);
    const b = await loadModel(bytes);
    b.dispose();
    const x = tensor(new Float32Array(50).map((_, i) => Math.sin(i * 0.73)), [1, 50]);
    const before = { ...planStats };
    const ya = a.predict(x) as Tensor;
    expect(planStats).toEqual(before);
    expect(bits(ya)).toEqual(bits(b.predict(x) as Tensor));
  });
});

describe('helpers of the cold path', () => {
  it('decodeBase64 (native where available) equals the portable loop', () => {
    for (const n of [0, 1, 2, 3, 4, 5, 100, 1001]) {
      const bytes = new Uint8Array(n).map((_, i) => (i * 97 + n) & 255);
      const b64 = Buffer.from(bytes).toString('base64');
      expect(decodeBase64(b64)).toEqual(bytes);
      expect(decodeBase64Loop(b64)).toEqual(bytes);
    }
  });

  it('firstNonFinite finds the first NaN or infinity, or -1', () => {
    const v = new Float32Array(1000).map((_, i) => Math.sin(i));
    expect(firstNonFinite(v)).toBe(-1);
    for (const bad of [NaN, Infinity, -Infinity]) {
      const w = v.slice();
      w[700] = bad;
      w[900] = NaN;
      expect(firstNonFinite(w)).toBe(700);
    }
  });
});
