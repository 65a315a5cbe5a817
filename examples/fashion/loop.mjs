// The classic Keras GAN loop for the Fashion-MNIST DCGAN, one step at a time, in any runtime: the
// loop of the node example (examples/train-fashion-dcgan.mjs, which still has its own copy: same
// seeds, shuffles, latents and labels), for the page (examples/train-fashion-browser/) and the
// playground's Train tab. Per step: the discriminator on a real half-batch (labels
// `smooth`, one-sided label smoothing) and on a generated half-batch (labels 0), then the
// combined model (d frozen) on a full batch of latents labelled 1. Seeded: the same seed, data
// and build give the same losses.
import * as U from 'upconv';
import { discriminator, gan, generator, LATENT } from './dcgan.mjs';

const PER = 28 * 28;

/** The names of the three loss series, in the order a step returns them. */
export const LOSS_NAMES = ['d loss on real', 'd loss on fake', 'g loss'];

export class GanLoop {
  /**
   * @param {object} o
   * @param {{ n: number, x?: Float32Array, images?: Uint8Array }} o.data  images as [-1, 1] floats
   *   (`x`, from loadFashion) or as bytes 0..255 (`images`, from fetch-idx.mjs), 28·28 per image
   * @param {number} [o.seed]  seeds the initial weights (setSeed), the shuffles and the latents
   * @param {number} [o.batch]  images per step (an even number: half real, half generated)
   * @param {number} [o.smooth]  the label of real images for d
   * @param {number} [o.gridCount]  how many fixed latents `samples()` draws
   */
  constructor({ data, seed = 1, batch = 128, smooth = 0.9, gridCount = 64 }) {
    if (!Number.isInteger(batch) || batch < 2 || batch % 2) throw new Error(`batch must be an even number of at least 2, got ${batch}`);
    if (!(data.n >= batch)) throw new Error(`${data.n} images are fewer than one batch of ${batch}`);
    this.data = data;
    this.seed = seed;
    this.batch = batch;
    this.half = batch / 2;
    U.setSeed(seed);
    this.g = generator();
    this.d = discriminator();
    this.combined = gan(this.g, this.d);
    this.fixed = U.sampleLatents(gridCount, LATENT, { seed: seed + 1 }); // the same latents for every grid
    this.realBatch = new Float32Array(this.half * PER);
    this.realY = U.tensor(new Float32Array(this.half).fill(smooth), [this.half, 1]);
    this.fakeY = U.tensor(new Float32Array(this.half).fill(0), [this.half, 1]);
    this.ganY = U.tensor(new Float32Array(batch).fill(1), [batch, 1]);
    this.losses = Object.fromEntries(LOSS_NAMES.map((k) => [k, []]));
    this.stepsPerEpoch = Math.floor(data.n / batch);
    this.step = 0; // steps done
    this.epoch = 0; // the epoch the next step belongs to (0-based)
    this.batchIndex = 0; // the next step's batch within its epoch
    this.order = Int32Array.from({ length: data.n }, (_, i) => i);
    this.latentSeed = seed * 1_000_003;
  }

  /** A seeded shuffle per epoch (run by the epoch's first step). */
  shuffle() {
    const r = U.mulberry32(this.seed * 7919 + this.epoch);
    const order = this.order;
    for (let i = this.data.n - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
  }

  fillReal() {
    const { data, order, realBatch, half, batch } = this;
    const start = this.batchIndex * batch;
    for (let i = 0; i < half; i++) {
      const k = order[start + i];
      if (data.x) realBatch.set(data.x.subarray(k * PER, (k + 1) * PER), i * PER);
      else {
        const src = data.images.subarray(k * PER, (k + 1) * PER);
        for (let p = 0; p < PER; p++) realBatch[i * PER + p] = src[p] / 127.5 - 1;
      }
    }
  }

  /** One step; returns its losses { dReal, dFake, g, step, epoch, batchIndex } (epoch and batch 0-based, of this step). */
  trainStep() {
    if (this.batchIndex === 0) this.shuffle();
    this.fillReal();
    const { d, g, combined, half, batch } = this;
    const dReal = d.trainOnBatch(U.tensor(this.realBatch, [half, 28, 28, 1]), this.realY);
    const fake = g.predict(U.sampleLatents(half, LATENT, { seed: this.latentSeed++ }));
    const dFake = d.trainOnBatch(fake, this.fakeY);
    const gLoss = combined.trainOnBatch(U.sampleLatents(batch, LATENT, { seed: this.latentSeed++ }), this.ganY);
    this.losses[LOSS_NAMES[0]].push(dReal);
    this.losses[LOSS_NAMES[1]].push(dFake);
    this.losses[LOSS_NAMES[2]].push(gLoss);
    const done = { dReal, dFake, g: gLoss, step: this.step, epoch: this.epoch, batchIndex: this.batchIndex };
    this.step++;
    if (++this.batchIndex === this.stepsPerEpoch) {
      this.batchIndex = 0;
      this.epoch++;
    }
    return done;
  }

  /** The generator's outputs for the fixed latents: [gridCount, 28, 28, 1] in [-1, 1]. */
  samples() {
    return this.g.predict(this.fixed);
  }
}
