import { describe, expect, it } from 'vitest';
import {
  Conv2D, Conv2DTranspose, Dense, init, LeakyReLU, Reshape, Sequential, setBackend, setSeed, tensor, Tensor, UpSampling2D,
} from '../bindings/index.js';

/**
 * Plan once, run many: after the first predict of a batch size, predict and predictInto neither
 * grow nor replace the backend memory, nor re-plan; predictInto returns the caller's tensor.
 */
type Internals = { program: { memory: { buffer: ArrayBuffer } }; plan: object };

function generator(): Sequential {
  setSeed(3);
  const m = new Sequential();
  m.add(new Dense(7 * 7 * 16, { inputDim: 10 }));
  m.add(new LeakyReLU({ alpha: 0.2 }));
  m.add(new Reshape([7, 7, 16]));
  m.add(new Conv2DTranspose(8, 4, { strides: 2, padding: 'same' }));
  m.add(new LeakyReLU({ alpha: 0.2 }));
  m.add(new UpSampling2D({ interpolation: 'bilinear' }));
  m.add(new Conv2D(1, 7, { padding: 'same', activation: 'sigmoid' }));
  return m;
}

describe('no memory growth or re-planning across calls', () => {
  // the js reference is ~20× slower: 100 calls show the same (no growth, no re-plan) in a second
  it.each([['wasm', 1000], ['js', 100]] as const)('predictInto calls on %s: %i of them', async (backend, calls) => {
    await init();
    setBackend(backend);
    const m = generator();
    const x = tensor(new Float32Array(4 * 10).map((_, i) => Math.sin(i)), [4, 10]);
    const out = new Tensor(new Float32Array(4 * 28 * 28), [4, 28, 28, 1]);
    m.predictInto(x, out);
    const first = out.data.slice();
    const internals = m as unknown as Internals;
    const buffer = internals.program.memory.buffer;
    const bytes = buffer.byteLength;
    const plan = internals.plan;
    for (let i = 0; i < calls; i++) expect(m.predictInto(x, out)).toBe(out);
    expect(internals.program.memory.buffer).toBe(buffer);
    expect(internals.program.memory.buffer.byteLength).toBe(bytes);
    expect(internals.plan).toBe(plan);
    expect(out.data).toEqual(first);
    // predict returns a fresh tensor each time, and still does not touch the memory
    const a = m.predict(x);
    const b = m.predict(x);
    expect(a.data).not.toBe(b.data);
    expect(a.data).toEqual(first);
    expect(internals.program.memory.buffer).toBe(buffer);
    expect(internals.plan).toBe(plan);
  });
});

describe('ioTensors: input and output in the model memory', () => {
  it.each(['wasm', 'js'] as const)('predictInto(io.input, io.output) equals predict on %s', async (backend) => {
    await init();
    setBackend(backend);
    const m = generator();
    const x = tensor(new Float32Array(2 * 10).map((_, i) => Math.cos(i)), [2, 10]);
    const want = m.predict(x).data.slice();
    const io = m.ioTensors(2);
    expect(io.input.shape).toEqual([2, 10]);
    expect(io.output.shape).toEqual([2, 28, 28, 1]);
    io.input.data.set(x.data);
    expect(m.predictInto(io.input, io.output)).toBe(io.output);
    expect(io.output.data).toEqual(want);
    // a later predict on the same plan does not disturb correctness of the views
    io.input.data.set(x.data);
    m.predictInto(io.input, io.output);
    expect(io.output.data).toEqual(want);
    expect(() => m.ioTensors(0)).toThrow(/positive integer/);
  });
});
