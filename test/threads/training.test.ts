import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import * as U from '../../bindings/index.js';
import type { Pool } from '../../bindings/backend/threads/pool.js';
import { SHARED } from '../util/conformance.js';
import { needs } from '../util/shared.js';
import { bitDiff, forceSplit, resetTuning, settle, useThreads } from '../util/threads.js';

/**
 * The training cases of ../shared/training (single models and GAN steps: forward, losses,
 * backward, optimizer updates) with threads 1 and 2: the losses and the final weights are
 * identical bit for bit, every splittable kernel call cut as finely as it goes.
 */
interface Data { shape: number[]; data: number[] }
interface CompileCfg { optimizer: { class_name: string; config: Record<string, unknown> }; loss: unknown }
interface Case {
  file: string; kind: 'single' | 'gan';
  model?: object; weights?: Data[]; compile?: CompileCfg; batches?: { x: Data; y: Data }[];
  generator?: { model: object; weights: Data[] };
  discriminator?: { model: object; weights: Data[]; compile: CompileCfg };
  gan?: { compile: CompileCfg };
  steps?: { model: 'd' | 'gan'; x?: Data; generate?: Data; y: Data }[];
}

const DIR = join(SHARED, 'training');
const { describe } = needs(existsSync(DIR), '../shared');
const cases: Case[] = !existsSync(DIR) ? [] : readdirSync(DIR).filter((f) => f.endsWith('.json')).sort()
  .map((file) => ({ file, ...JSON.parse(readFileSync(join(DIR, file), 'utf8')) }));
const t = (d: Data) => U.tensor(Float32Array.from(d.data), d.shape);

function compileArgs(c: CompileCfg): U.CompileOptions {
  const o = c.optimizer;
  const cfg = o.config as Record<string, number & boolean>;
  const optimizer = o.class_name === 'Adam'
    ? new U.Adam({ learningRate: cfg.learning_rate, beta1: cfg.beta_1, beta2: cfg.beta_2, epsilon: cfg.epsilon, amsgrad: cfg.amsgrad })
    : o.class_name === 'SGD' ? new U.SGD({ learningRate: cfg.learning_rate, momentum: cfg.momentum, nesterov: cfg.nesterov })
      : new U.RMSprop({ learningRate: cfg.learning_rate, rho: cfg.rho, momentum: cfg.momentum, epsilon: cfg.epsilon, centered: cfg.centered });
  const l = c.loss as string | { class_name: string; config: { from_logits?: boolean; label_smoothing?: number } };
  const loss = typeof l === 'string' ? l as U.LossName : new U.BinaryCrossentropy({ fromLogits: l.config.from_logits, labelSmoothing: l.config.label_smoothing });
  return { optimizer, loss };
}

/** Runs a case; its losses and final weights. */
function run(c: Case): { losses: number[]; weights: U.Tensor[] } {
  U.resetNames();
  if (c.kind === 'single') {
    const m = U.modelFromJSON(c.model!);
    m.setWeights(c.weights!.map(t));
    m.compile(compileArgs(c.compile!));
    const losses = c.batches!.map((b) => m.trainOnBatch(t(b.x), t(b.y)) as number);
    return { losses, weights: m.getWeights() };
  }
  const g = U.modelFromJSON(c.generator!.model);
  g.setWeights(c.generator!.weights.map(t));
  const d = U.modelFromJSON(c.discriminator!.model);
  d.setWeights(c.discriminator!.weights.map(t));
  d.compile(compileArgs(c.discriminator!.compile));
  d.trainable = false;
  const gan = new U.Sequential([g, d]);
  gan.compile(compileArgs(c.gan!.compile));
  const losses: number[] = [];
  for (const s of c.steps!) {
    if (s.model === 'gan') {
      losses.push(gan.trainOnBatch(t(s.x!), t(s.y)) as number);
      continue;
    }
    let x: U.Tensor;
    if (s.x && s.generate) {
      const fake = g.predict(t(s.generate)) as U.Tensor;
      const real = t(s.x);
      const data = new Float32Array(real.size + fake.size);
      data.set(real.data);
      data.set(fake.data, real.size);
      x = U.tensor(data, [real.shape[0] + fake.shape[0], ...real.shape.slice(1)]);
    } else {
      x = s.generate ? g.predict(t(s.generate)) as U.Tensor : t(s.x!);
    }
    losses.push(d.trainOnBatch(x, t(s.y)) as number);
  }
  return { losses, weights: [...g.getWeights(), ...d.getWeights()] };
}

describe('training cases: threads 1 and 2 give the same losses and weights', () => {
  let pool: Pool;
  let split = 0;
  beforeAll(async () => {
    pool = await useThreads(2);
    await settle(pool);
  });

  it('has the cases', () => expect(cases.length).toBeGreaterThan(20));

  it.each(cases.map((c) => [c.file, c] as const))('%s', async (_f, c) => {
    await U.init({ threads: 1 });
    const one = run(c);
    await U.init({ threads: 2 });
    forceSplit(pool);
    const tasks = pool.tasks;
    let two: ReturnType<typeof run>;
    try {
      two = run(c);
    } finally {
      resetTuning(pool);
    }
    if (pool.tasks > tasks) split++;
    expect(two.losses).toEqual(one.losses);
    expect(two.weights.length).toBe(one.weights.length);
    two.weights.forEach((w, i) => expect(bitDiff(w.data, one.weights[i].data), `weight ${i}`).toBeNull());
  });

  // a case whose every call is a few rows splits nothing; the others must have gone through the pool
  it('ran split calls in most cases', () => expect(split).toBeGreaterThan(cases.length - 5));
});
