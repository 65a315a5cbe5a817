import { describe, expect, it } from 'vitest';
import { Adam, Dense, type Optimizer, RMSprop, Sequential, SGD, setSeed, type Tensor, tensor } from '../../bindings/index.js';
import { BACKENDS, use } from '../util/backends.js';
import { Rng } from '../util/rng.js';
import { buildChain } from './chain.js';
import { analytic, type Problem } from './oracle/graph.js';
import { type OptSpec, OracleOptimizer } from './oracle/optimizers.js';
import { val } from './oracle/values.js';

/**
 * Every optimizer against a float64 oracle of ../shared/training/SEMANTICS.md §3 over several
 * steps: Adam (Keras's epsilon hat, amsgrad), SGD (momentum, nesterov), RMSprop (epsilon inside
 * the square root, centered, momentum), the compile strings with Keras's defaults. Once through
 * `optimizer.applyGradients` with given gradients (the update alone), once through
 * compile/trainOnBatch on a model (gradients, update and step count together).
 */
interface OptCase { name: string; make: () => Optimizer | 'adam' | 'sgd' | 'rmsprop'; spec: OptSpec }
const adam = (o: Partial<Extract<OptSpec, { name: 'adam' }>> = {}): OptSpec => ({ name: 'adam', learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, amsgrad: false, ...o });
const sgd = (o: Partial<Extract<OptSpec, { name: 'sgd' }>> = {}): OptSpec => ({ name: 'sgd', learningRate: 0.01, momentum: 0, nesterov: false, ...o });
const rms = (o: Partial<Extract<OptSpec, { name: 'rmsprop' }>> = {}): OptSpec => ({ name: 'rmsprop', learningRate: 0.001, rho: 0.9, momentum: 0, epsilon: 1e-7, centered: false, ...o });

const CASES: OptCase[] = [
  { name: "'adam' (Keras defaults)", make: () => 'adam', spec: adam() },
  { name: 'Adam(lr 0.01, beta1 0.5, beta2 0.9, epsilon 1e-3)', make: () => new Adam({ learningRate: 0.01, beta1: 0.5, beta2: 0.9, epsilon: 1e-3 }), spec: adam({ learningRate: 0.01, beta1: 0.5, beta2: 0.9, epsilon: 1e-3 }) },
  { name: 'Adam(lr 2e-4, beta1 0.5) (the DCGAN setting)', make: () => new Adam({ learningRate: 2e-4, beta1: 0.5 }), spec: adam({ learningRate: 2e-4, beta1: 0.5 }) },
  { name: 'Adam(amsgrad)', make: () => new Adam({ learningRate: 0.01, amsgrad: true }), spec: adam({ learningRate: 0.01, amsgrad: true }) },
  { name: "'sgd' (Keras defaults)", make: () => 'sgd', spec: sgd() },
  { name: 'SGD(lr 0.1)', make: () => new SGD({ learningRate: 0.1 }), spec: sgd({ learningRate: 0.1 }) },
  { name: 'SGD(momentum 0.9)', make: () => new SGD({ learningRate: 0.05, momentum: 0.9 }), spec: sgd({ learningRate: 0.05, momentum: 0.9 }) },
  { name: 'SGD(momentum 0.8, nesterov)', make: () => new SGD({ learningRate: 0.05, momentum: 0.8, nesterov: true }), spec: sgd({ learningRate: 0.05, momentum: 0.8, nesterov: true }) },
  { name: "'rmsprop' (Keras defaults)", make: () => 'rmsprop', spec: rms() },
  { name: 'RMSprop(rho 0.8, epsilon 1e-3)', make: () => new RMSprop({ learningRate: 0.01, rho: 0.8, epsilon: 1e-3 }), spec: rms({ learningRate: 0.01, rho: 0.8, epsilon: 1e-3 }) },
  { name: 'RMSprop(centered)', make: () => new RMSprop({ learningRate: 0.01, centered: true }), spec: rms({ learningRate: 0.01, centered: true }) },
  { name: 'RMSprop(momentum 0.5)', make: () => new RMSprop({ learningRate: 0.01, momentum: 0.5 }), spec: rms({ learningRate: 0.01, momentum: 0.5 }) },
  { name: 'RMSprop(centered, momentum 0.9)', make: () => new RMSprop({ learningRate: 0.005, centered: true, momentum: 0.9 }), spec: rms({ learningRate: 0.005, centered: true, momentum: 0.9 }) },
];

/** README rule on the deltas from the start (tighter than the cases': 2e-4 and 1e-7). */
function deltaMismatch(got: ArrayLike<number>, want: ArrayLike<number>, start: ArrayLike<number>): string | null {
  let maxDelta = 0;
  let maxW = 0;
  for (let i = 0; i < want.length; i++) {
    maxDelta = Math.max(maxDelta, Math.abs(want[i] - start[i]));
    maxW = Math.max(maxW, Math.abs(want[i]));
  }
  const allowed = 2e-4 * maxDelta + 1e-7 * Math.max(1, maxW);
  for (let i = 0; i < want.length; i++) {
    const dg = got[i] - start[i];
    const de = want[i] - start[i];
    if (!Number.isFinite(dg) || !(Math.abs(dg - de) <= allowed)) return `index ${i}: delta ${dg}, expected ${de} (allowed ±${allowed.toExponential(2)})`;
  }
  return maxDelta > 0 ? null : 'the weights did not move';
}

describe('optimizer.applyGradients against the oracle over 8 steps', () => {
  for (const c of CASES) {
    it.each(BACKENDS)(`${c.name} on %s`, async (backend) => {
      await use(backend);
      setSeed(900);
      const model = new Sequential([new Dense(5, { inputShape: [3] }), new Dense(2)]);
      const vars = model.trainableWeights;
      const made = c.make();
      const opt = typeof made === 'string' ? ({ adam: () => new Adam(), sgd: () => new SGD(), rmsprop: () => new RMSprop() })[made]() : made;
      const oracle = new OracleOptimizer(c.spec);
      const start = vars.map((v) => v.read().data.slice());
      const w = start.map((s) => Float64Array.from(s));
      const r = new Rng(901);
      for (let step = 0; step < 8; step++) {
        // magnitudes fall over the steps (amsgrad keeps the larger v̂) and some entries are zero
        const grads = vars.map((v) => Float32Array.from({ length: v.read().size }, (_, i) => (i % 5 === 3 ? 0 : r.normal(0, 1) / (1 + step))));
        opt.applyGradients(vars.map((v, i) => [tensor(grads[i], v.shape), v] as const));
        oracle.apply(vars.map((v, i) => ({ key: v, w: w[i], g: grads[i] })));
        vars.forEach((v, i) => expect(deltaMismatch(v.read().data, w[i], start[i]), `${v.name} after step ${step + 1}`).toBeNull());
      }
      expect(opt.iterations).toBe(8);
    });
  }
});

describe('compile / trainOnBatch against the oracle over 5 steps', () => {
  for (const c of CASES) {
    it.each(BACKENDS)(`${c.name} on %s`, async (backend) => {
      await use(backend);
      const built = buildChain({ input: [4], seed: 910, layers: [{ kind: 'dense', units: 6, activation: 'tanh' }, { kind: 'dense', units: 3 }] });
      const made = c.make();
      built.model.compile({ optimizer: made, loss: 'mse' });
      const oracle = new OracleOptimizer(c.spec);
      const sets = built.weighted.map((w) => w.set);
      const start = sets.map((s) => s.values.map((v) => v.slice()));
      const r = new Rng(911);
      for (let step = 0; step < 5; step++) {
        const x = tensor(r.uniformF32(12), [3, 4]);
        const y = tensor(r.uniformF32(9), [3, 3]);
        const problem: Problem = { graph: built.graph, xs: [val(x.data, x.shape)], targets: [Float64Array.from(y.data)], loss: [{ name: 'mse' }] };
        const a = analytic(problem, sets);
        const loss = built.model.trainOnBatch(x, y) as number;
        expect(Math.abs(loss - a.loss), `loss of step ${step + 1}`).toBeLessThanOrEqual(1e-5 * Math.max(1, a.loss));
        oracle.apply(sets.flatMap((s, i) => s.values.map((w, j) => ({ key: `${i}/${j}`, w, g: a.grads[i][j] }))));
      }
      const got = built.model.getWeights() as Tensor[];
      const want = sets.flatMap((s) => s.values);
      const from = start.flat();
      got.forEach((g, i) => expect(deltaMismatch(g.data, want[i], from[i]), `weight ${i}`).toBeNull());
      if (typeof made !== 'string') expect(made.iterations).toBe(5);
    });
  }
});
