// The shipped generator (upconv/models/fashion-dcgan) against outputs computed without upconv:
// test/fixtures/fashion_dcgan/make_reference.py decodes the float16 weights with numpy and runs
// the network in float64 PyTorch. On every backend.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tensor } from '../../bindings/index.js';
import { CLASSES, fashionDCGAN, fashionGenerator, LATENT_DIM, modelCard } from '../../bindings/models/fashion_dcgan.js';
import { TRAINED } from '../../bindings/models/fashion_dcgan_weights.js';
import { BACKENDS, use } from '../util/backends.js';
import { mismatch } from '../util/close.js';

const ref = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'fashion_dcgan', 'reference.json'), 'utf8')) as {
  weightsSha256: string; latents: number[]; outputs: number[]; shape: number[];
};

describe('upconv/models/fashion-dcgan', () => {
  it('the fixture belongs to the shipped weights (else: run test/fixtures/fashion_dcgan/make_reference.py)', () => {
    expect(createHash('sha256').update(TRAINED.float16).digest('hex')).toBe(ref.weightsSha256);
  });

  for (const backend of BACKENDS) {
    it(`fixed latents give the reference outputs on ${backend}`, async () => {
      await use(backend);
      const g = fashionDCGAN();
      const y = g.predict(tensor(Float32Array.from(ref.latents), [8, LATENT_DIM]));
      expect(y.shape).toEqual(ref.shape);
      expect(mismatch(y.data, ref.outputs, 1e-4)).toBeNull();
    });
  }

  it('each call is a new model with its own weights; the architecture alone is untrained', () => {
    const a = fashionDCGAN();
    const b = fashionDCGAN();
    expect(a).not.toBe(b);
    const z = tensor(Float32Array.from(ref.latents.slice(0, LATENT_DIM)), [1, LATENT_DIM]);
    const before = b.predict(z).data.slice();
    a.setWeights(a.getWeights().map((w) => tensor(new Float32Array(w.data.length).fill(0.5), w.shape)));
    expect(Array.from(b.predict(z).data)).toEqual(Array.from(before));
    expect(Array.from(a.predict(z).data)).not.toEqual(Array.from(before));
    const fresh = fashionGenerator();
    expect(fresh.countParams()).toBe(a.countParams());
    const same = fresh.getWeights().every((w, i) => w.data.every((v, j) => v === b.getWeights()[i].data[j]));
    expect(same).toBe(false);
  });

  it('the card says where it comes from', () => {
    expect(CLASSES).toHaveLength(10);
    expect(modelCard.data).toMatch(/Fashion-MNIST.*MIT/);
    expect(modelCard.command).toMatch(/train-fashion-dcgan/);
    expect(modelCard.epoch).toBeGreaterThan(0);
  });
});
