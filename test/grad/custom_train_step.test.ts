import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  Adam, BinaryCrossentropy, Conv2D, Conv2DTranspose, Dense, Flatten, LeakyReLU, type Optimizer, Reshape, Sequential, setSeed, SGD,
  type Tensor, tensor,
} from '../../bindings/index.js';
import { BACKENDS, use } from '../util/backends.js';
import { Rng } from '../util/rng.js';

/**
 * The keras-io `dcgan_overriding_train_step` custom loop ported to upconv: the discriminator
 * learns from generated + real images with noisy labels through d.computeGradients +
 * dOptimizer.applyGradients, the generator through gan.computeGradients (gan = Sequential([g, d]),
 * gradients with respect to g's weights only) + gOptimizer.applyGradients. The same steps through
 * compile / trainOnBatch in the classic GAN pattern (d frozen inside gan) must give the same losses
 * and weights: the gradients are the same and so are the updates, for SGD and for Adam.
 */
const LATENT = 8;
const BATCH = 4;

function generator(): Sequential {
  return new Sequential([
    new Dense(4 * 4 * 4, { inputDim: LATENT }), new LeakyReLU({ alpha: 0.2 }), new Reshape([4, 4, 4]),
    new Conv2DTranspose(4, 4, { strides: 2, padding: 'same' }), new LeakyReLU({ alpha: 0.2 }),
    new Conv2D(1, 3, { padding: 'same', activation: 'sigmoid' }),
  ], { name: 'generator' });
}

function discriminator(): Sequential {
  return new Sequential([
    new Conv2D(4, 3, { strides: 2, padding: 'same', inputShape: [8, 8, 1] }), new LeakyReLU({ alpha: 0.2 }),
    new Conv2D(4, 3, { strides: 2, padding: 'same' }), new LeakyReLU({ alpha: 0.2 }),
    new Flatten(), new Dense(1, { activation: 'sigmoid' }),
  ], { name: 'discriminator' });
}

/** The inputs of one train_step: latents for both halves, the real batch, the noisy labels. */
interface StepData { z1: Tensor; z2: Tensor; real: Tensor; labels: Tensor; misleading: Tensor }

function stepData(r: Rng): StepData {
  const labels = new Float32Array(2 * BATCH);
  for (let i = 0; i < 2 * BATCH; i++) labels[i] = (i < BATCH ? 1 : 0) + 0.05 * r.next(); // fake = 1, real = 0, plus noise
  return {
    z1: tensor(r.normalF32(BATCH * LATENT), [BATCH, LATENT]),
    z2: tensor(r.normalF32(BATCH * LATENT), [BATCH, LATENT]),
    real: tensor(r.uniformF32(BATCH * 64, 0, 1), [BATCH, 8, 8, 1]),
    labels: tensor(labels, [2 * BATCH, 1]),
    misleading: tensor(new Float32Array(BATCH), [BATCH, 1]),
  };
}

function concat(a: Tensor, b: Tensor): Tensor {
  const out = new Float32Array(a.size + b.size);
  out.set(a.data);
  out.set(b.data, a.size);
  return tensor(out, [a.shape[0] + b.shape[0], ...a.shape.slice(1)]);
}

/** keras-io's GAN.train_step with computeGradients and applyGradients. */
class CustomGan {
  private readonly gan: Sequential;
  private readonly lossFn = new BinaryCrossentropy();

  constructor(readonly d: Sequential, readonly g: Sequential, private readonly dOpt: Optimizer, private readonly gOpt: Optimizer) {
    this.gan = new Sequential([g, d]);
  }

  trainStep(s: StepData): { dLoss: number; gLoss: number } {
    const combined = concat(this.g.predict(s.z1), s.real);
    const dVars = this.d.trainableWeights;
    const dg = this.d.computeGradients(combined, s.labels, { loss: this.lossFn, wrt: dVars });
    this.dOpt.applyGradients(dg.gradients.map((grad, i) => [grad, dVars[i]] as const));
    const gVars = this.g.trainableWeights;
    const gg = this.gan.computeGradients(s.z2, s.misleading, { loss: this.lossFn, wrt: gVars });
    this.gOpt.applyGradients(gg.gradients.map((grad, i) => [grad, gVars[i]] as const));
    return { dLoss: dg.loss, gLoss: gg.loss };
  }
}

/** The same step in the classic pattern: d.compile; d.trainable = false; gan.compile; trainOnBatch. */
class ClassicGan {
  private readonly gan: Sequential;

  constructor(readonly d: Sequential, readonly g: Sequential, dOpt: Optimizer, gOpt: Optimizer) {
    d.compile({ optimizer: dOpt, loss: 'binary_crossentropy' });
    d.trainable = false;
    this.gan = new Sequential([g, d]);
    this.gan.compile({ optimizer: gOpt, loss: 'binary_crossentropy' });
  }

  trainStep(s: StepData): { dLoss: number; gLoss: number } {
    const dLoss = this.d.trainOnBatch(concat(this.g.predict(s.z1), s.real), s.labels) as number;
    const gLoss = this.gan.trainOnBatch(s.z2, s.misleading) as number;
    return { dLoss, gLoss };
  }
}

const weights = (m: Sequential) => m.getWeights().map((w: Tensor) => Float64Array.from(w.data));

function maxRel(a: Float64Array[], b: Float64Array[]): number {
  let worst = 0;
  a.forEach((w, i) => {
    let m = 0;
    for (const v of b[i]) m = Math.max(m, Math.abs(v));
    for (let k = 0; k < w.length; k++) worst = Math.max(worst, Math.abs(w[k] - b[i][k]) / Math.max(m, 1e-30));
  });
  return worst;
}

const OPTIMIZERS: [string, () => Optimizer][] = [['SGD(0.05)', () => new SGD({ learningRate: 0.05 })], ['Adam(1e-3, 0.5)', () => new Adam({ learningRate: 1e-3, beta1: 0.5 })]];

describe('the keras-io custom train_step (dcgan_overriding_train_step) with computeGradients + applyGradients', () => {
  for (const [name, opt] of OPTIMIZERS) {
    it.each(BACKENDS)(`equals the same steps through compile / trainOnBatch (GAN pattern) with ${name} on %s`, async (backend) => {
      await use(backend);
      setSeed(31);
      const [g1, d1] = [generator(), discriminator()];
      setSeed(31);
      const [g2, d2] = [generator(), discriminator()];
      const custom = new CustomGan(d1, g1, opt(), opt());
      const classic = new ClassicGan(d2, g2, opt(), opt());
      const r = new Rng(32);
      const d0 = weights(d1);
      const g0 = weights(g1);
      const losses: { dLoss: number; gLoss: number }[] = [];
      for (let step = 0; step < 6; step++) {
        const s = stepData(r);
        const a = custom.trainStep(s);
        const b = classic.trainStep(s);
        expect(a.dLoss).toBeCloseTo(b.dLoss, 5);
        expect(a.gLoss).toBeCloseTo(b.gLoss, 5);
        losses.push(a);
      }
      expect(maxRel(weights(d1), weights(d2))).toBeLessThan(1e-5);
      expect(maxRel(weights(g1), weights(g2))).toBeLessThan(1e-5);
      // it trains: both models moved and the losses changed
      expect(maxRel(weights(d1), d0)).toBeGreaterThan(1e-4);
      expect(maxRel(weights(g1), g0)).toBeGreaterThan(1e-4);
      expect(new Set(losses.map((l) => l.dLoss.toFixed(6))).size).toBeGreaterThan(1);
    });
  }

  it.each(BACKENDS)('the discriminator half leaves g untouched and the generator half leaves d untouched on %s', async (backend) => {
    await use(backend);
    setSeed(33);
    const [g, d] = [generator(), discriminator()];
    const gan = new Sequential([g, d]);
    const s = stepData(new Rng(34));
    const g0 = weights(g);
    const d0 = weights(d);
    const dVars = d.trainableWeights;
    const dg = d.computeGradients(concat(g.predict(s.z1), s.real), s.labels, { loss: 'binary_crossentropy', wrt: dVars });
    expect(weights(d)).toEqual(d0); // computeGradients changes nothing
    new SGD({ learningRate: 0.1 }).applyGradients(dg.gradients.map((grad, i) => [grad, dVars[i]] as const));
    expect(weights(g)).toEqual(g0);
    const d1 = weights(d);
    expect(d1).not.toEqual(d0);
    const gVars = g.trainableWeights;
    const gg = gan.computeGradients(s.z2, s.misleading, { loss: 'binary_crossentropy', wrt: gVars });
    expect(gg.variables).toEqual(gVars);
    new SGD({ learningRate: 0.1 }).applyGradients(gg.gradients.map((grad, i) => [grad, gVars[i]] as const));
    expect(weights(d)).toEqual(d1);
    expect(weights(g)).not.toEqual(g0);
  });
});

describe('examples/custom-train-step.mjs', () => {
  const dist = new URL('../../dist/index.js', import.meta.url);
  it('runs against a built dist/ and prints finite losses that move', () => {
    expect(existsSync(dist)).toBe(true);
    const r = spawnSync(process.execPath, [new URL('../../examples/custom-train-step.mjs', import.meta.url).pathname], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n').filter((l) => /^step \d+/.test(l));
    expect(lines.length).toBeGreaterThanOrEqual(3);
    const parsed = lines.map((l) => l.match(/d_loss ([\d.]+)\s+g_loss ([\d.]+)/)!.slice(1).map(Number));
    for (const [dl, gl] of parsed) {
      expect(Number.isFinite(dl)).toBe(true);
      expect(Number.isFinite(gl)).toBe(true);
    }
    expect(new Set(parsed.map((p) => p.join())).size).toBeGreaterThan(1);
  });
});
