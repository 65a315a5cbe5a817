import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import * as U from '../bindings/index.js';
import { use } from './util/backends.js';
import { SHARED } from './util/conformance.js';
import { needs } from './util/shared.js';

/**
 * Every case in ../shared/training/ (its README: the API, the case format, the tolerance rule):
 * modelFromJSON → setWeights → compile → trainOnBatch ×K → getWeights, on the wasm and js backends.
 */
interface Data { shape: number[]; data: number[] }
interface CompileCfg { optimizer: { class_name: string; config: Record<string, unknown> }; loss: unknown }
interface Tol { loss_rtol: number; loss_atol: number; delta_rtol: number; delta_atol: number }
interface SingleCase {
  kind: 'single'; name: string; model: object; weights: Data[]; compile: CompileCfg;
  batches: { x: Data; y: Data }[]; expected: { losses: number[]; weights: Data[] }; tolerance: Tol;
}
interface GanCase {
  kind: 'gan'; name: string;
  generator: { model: object; weights: Data[] };
  discriminator: { model: object; weights: Data[]; compile: CompileCfg };
  gan: { compile: CompileCfg };
  steps: { model: 'd' | 'gan'; x?: Data; generate?: Data; y: Data }[];
  expected: { losses: number[]; generator_weights: Data[]; discriminator_weights: Data[] };
  tolerance: Tol;
}
type Case = (SingleCase | GanCase) & { file: string };

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

/** The README's rule on losses and on weight deltas; null when it passes, else the first mismatch. */
function check(losses: number[], want: number[], got: U.Tensor[], initial: Data[], expected: Data[], tol: Tol, what: string): string | null {
  if (losses.length !== want.length) return `${what}: ${losses.length} losses, expected ${want.length}`;
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(losses[i] - want[i]) <= tol.loss_rtol * Math.abs(want[i]) + tol.loss_atol)) return `${what}: loss ${i} is ${losses[i]}, expected ${want[i]}`;
  }
  if (got.length !== expected.length) return `${what}: ${got.length} weights, expected ${expected.length}`;
  for (let w = 0; w < expected.length; w++) {
    if (got[w].shape.join() !== expected[w].shape.join()) return `${what}: weight ${w} shape [${got[w].shape}] vs [${expected[w].shape}]`;
    const e = Float32Array.from(expected[w].data);
    const w0 = Float32Array.from(initial[w].data);
    let maxDelta = 0;
    let maxW = 0;
    for (let i = 0; i < e.length; i++) {
      maxDelta = Math.max(maxDelta, Math.abs(e[i] - w0[i]));
      maxW = Math.max(maxW, Math.abs(e[i]));
    }
    const allow = tol.delta_rtol * maxDelta + tol.delta_atol * Math.max(1, maxW);
    for (let i = 0; i < e.length; i++) {
      const dg = got[w].data[i] - w0[i];
      const de = e[i] - w0[i];
      if (!Number.isFinite(dg) || !(Math.abs(dg - de) <= allow)) return `${what}: weight ${w}[${i}] delta ${dg}, expected ${de} (allowed ${allow})`;
    }
  }
  return null;
}

function runSingle(c: SingleCase): string | null {
  const m = U.modelFromJSON(c.model);
  m.setWeights(c.weights.map(t));
  m.compile(compileArgs(c.compile));
  const losses = c.batches.map((b) => m.trainOnBatch(t(b.x), t(b.y)) as number);
  return check(losses, c.expected.losses, m.getWeights(), c.weights, c.expected.weights, c.tolerance, 'model');
}

function runGan(c: GanCase): string | null {
  const g = U.modelFromJSON(c.generator.model);
  g.setWeights(c.generator.weights.map(t));
  const d = U.modelFromJSON(c.discriminator.model);
  d.setWeights(c.discriminator.weights.map(t));
  d.compile(compileArgs(c.discriminator.compile));
  d.trainable = false;
  const gan = new U.Sequential([g, d]);
  gan.compile(compileArgs(c.gan.compile));
  const losses: number[] = [];
  for (const s of c.steps) {
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
    } else if (s.generate) {
      x = g.predict(t(s.generate)) as U.Tensor;
    } else {
      x = t(s.x!);
    }
    losses.push(d.trainOnBatch(x, t(s.y)) as number);
  }
  const gw = g.getWeights();
  const dw = d.getWeights();
  return check(losses, c.expected.losses, [...gw, ...dw], [...c.generator.weights, ...c.discriminator.weights],
    [...c.expected.generator_weights, ...c.expected.discriminator_weights], c.tolerance, 'g+d');
}

for (const backend of ['wasm-simd', 'js'] as const) {
  describe(`training cases on ${backend}`, () => {
    let passed = 0;
    const failed: string[] = [];
    afterAll(() => {
      for (const f of failed) console.log(`FAIL [${backend}] ${f}`);
      console.log(`training [${backend}]: ${passed} passed, ${failed.length} failed`);
    });
    it('has cases', () => expect(cases.length).toBeGreaterThan(20));
    for (const c of cases) {
      it(c.file, async () => {
        await use(backend);
        U.resetNames();
        let problem: string | null;
        try {
          problem = c.kind === 'gan' ? runGan(c) : runSingle(c);
        } catch (e) {
          problem = `threw ${(e as Error).stack}`;
        }
        if (problem) failed.push(`${c.name}: ${problem}`);
        else passed++;
        expect(problem).toBeNull();
      });
    }
  });
}
