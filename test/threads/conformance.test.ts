import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { getBackend, getThreads, init, modelFromJSON, type Model, type Tensor, tensor } from '../../bindings/index.js';
import type { Pool } from '../../bindings/backend/threads/pool.js';
import { mismatch } from '../util/close.js';
import { SHARED } from '../util/conformance.js';
import { needs } from '../util/shared.js';
import { bitDiff, forceSplit, resetTuning, settle, useThreads } from '../util/threads.js';

/**
 * Every case of ../shared/conformance and ../shared/conformance-functional (every layer type) on
 * the threads build with 2 threads, every splittable call cut as finely as it goes: the output is
 * bit-identical to the single-thread SIMD build's, and within the case's tolerance of Keras. Each
 * case runs twice threaded: the calling thread sharing the chunks, then the workers running all.
 */
interface Data { shape: number[]; data: number[] }
interface Case {
  file: string;
  model: object;
  weights: Data[];
  input?: Data;
  inputs?: Data[];
  expected: Data | Data[];
  tolerance: number;
}

const load = (dir: string): Case[] => (!existsSync(dir) ? [] : readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
  .map((file) => ({ file: `${dir.split('/').pop()}/${file}`, ...JSON.parse(readFileSync(join(dir, file), 'utf8')) })));
const cases = [...load(join(SHARED, 'conformance')), ...load(join(SHARED, 'conformance-functional'))];
const { describe } = needs(cases.length > 0, '../shared');
const t = (d: Data) => tensor(Float32Array.from(d.data), d.shape);
const outs = (y: Tensor | Tensor[]) => (Array.isArray(y) ? y : [y]);

describe.each(['default', 'simd'] as const)('conformance cases: threads = 2 bit-identical to one thread (%s flavour)', (flavour) => {
  let pool: Pool;
  const opts = flavour === 'simd' ? { flavour } : {};
  beforeAll(async () => {
    pool = await useThreads(2);
  });

  it('has the cases', () => expect(cases.length).toBeGreaterThan(60));

  it.each(cases.map((c) => [c.file, c] as const))('%s', async (_f, c) => {
    const build = (): Model => {
      const m = modelFromJSON(c.model) as Model;
      m.setWeights(c.weights.map(t));
      return m;
    };
    const x = c.inputs ? c.inputs.map(t) : t(c.input!);
    await init({ threads: 1, ...opts });
    expect(getThreads().threads).toBe(1);
    const backend = getBackend();
    const one = outs(build().predict(x));
    await init({ threads: 2, ...opts });
    expect(getThreads().threads).toBe(2);
    expect(getBackend()).toBe(backend);
    const m = build();
    forceSplit(pool);
    try {
      const first = outs(m.predict(x)); // plans; the workers may not have attached yet
      await settle(pool);
      const shared = outs(m.predict(x));
      forceSplit(pool, true);
      const [tasks, worked] = [pool.tasks, pool.worked().reduce((a, b) => a + b, 0)];
      const workers = outs(m.predict(x));
      // the workers ran the chunks of every split call
      if (pool.tasks > tasks) expect(pool.worked().reduce((a, b) => a + b, 0)).toBeGreaterThan(worked);
      const want = Array.isArray(c.expected) ? c.expected : [c.expected];
      for (let i = 0; i < one.length; i++) {
        for (const [what, got] of [['first call', first], ['shared', shared], ['workers only', workers]] as const) {
          expect(bitDiff(got[i].data, one[i].data), `${what}, output ${i}`).toBeNull();
        }
        expect(mismatch(one[i].data, want[i].data, c.tolerance)).toBeNull();
      }
    } finally {
      resetTuning(pool);
      m.dispose();
    }
  });
});
