import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Dense, Reshape, Sequential, tensor, UpSampling2D } from '../../bindings/index.js';
import { loadModel, saveModel } from '../../bindings/io/index.js';
import { encodePNG } from '../../bindings/cli/png.js';
import { main } from '../../bindings/cli/main.js';
import { sampleLatents } from '../../bindings/cli/images.js';
import { MODELS } from '../io/shared.js';
import { decodePNG } from './png_decode.js';

const WGAN = join(MODELS, 'wgan-mnist3-convtranspose', 'generator_model.h5');
const FASHION = join(MODELS, 'fashion-gan-upsampling2d', 'generator.h5');
const tmp = mkdtempSync(join(tmpdir(), 'upconv-cli-'));

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (t) => { out += t; }, stderr: (t) => { err += t; }, isTTY: false });
  return { code, out, err };
}

describe('upconv generate', () => {
  it('writes a grayscale PNG grid of the expected size (16 samples, 4×4 tiles of 28×28, 2 px padding)', async () => {
    const out = join(tmp, 'grid.png');
    const r = await run('generate', WGAN, '--count', '16', '--seed', '1', '--out', out);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/wrote .*grid\.png: 122×122 grayscale, 16 samples of 28×28 from normal latents \(seed 1\), range tanh \[-1, 1\]/);
    const png = decodePNG(new Uint8Array(readFileSync(out)));
    expect([png.width, png.height, png.channels, png.colorType]).toEqual([122, 122, 1, 0]);
  });

  it('--seed 1234 --count 4 draws exactly the reference latents, mapped tanh → 0..255', async () => {
    const ref = JSON.parse(readFileSync(join(MODELS, 'wgan-mnist3-convtranspose', 'reference_outputs.json'), 'utf8'));
    expect(Array.from(sampleLatents(4, 50, 'normal', 1234))).toEqual(ref.inputs.flat().map(Math.fround));
    const out = join(tmp, 'ref.png');
    const r = await run('generate', WGAN, '--count=4', '--seed=1234', '--cols=4', '--padding=0', `--out=${out}`);
    expect(r.code, r.err).toBe(0);
    const png = decodePNG(new Uint8Array(readFileSync(out)));
    expect([png.width, png.height]).toEqual([112, 28]);
    let worst = 0;
    for (let n = 0; n < 4; n++) {
      for (let y = 0; y < 28; y++) {
        for (let x = 0; x < 28; x++) {
          const want = Math.round(((ref.outputs[n][y * 28 + x] + 1) / 2) * 255);
          worst = Math.max(worst, Math.abs(png.pixels[y * 112 + n * 28 + x] - want));
        }
      }
    }
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('detects sigmoid outputs, takes --latent uniform, --scale and --range, and shows progress for large counts', async () => {
    const out = join(tmp, 'fashion.png');
    const r = await run('generate', FASHION, '--count', '100', '--batch', '16', '--latent', 'uniform', '--scale', '2', '--progress', '--out', out);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/582×582 grayscale, 100 samples of 28×28 from uniform latents \(seed 1\), range sigmoid \[0, 1\]/);
    expect(r.err.trim().split('\n').pop()).toBe(`[${'#'.repeat(30)}] 100/100 samples`);
    expect(r.err.split('\n').length).toBeGreaterThan(3);
    const png = decodePNG(new Uint8Array(readFileSync(out)));
    expect([png.width, png.height]).toEqual([10 * 56 + 11 * 2, 10 * 56 + 11 * 2]);
    const fixed = await run('generate', FASHION, '--count', '4', '--range', '-1,1', '--out', join(tmp, 'f2.png'));
    expect(fixed.out).toMatch(/range \[-1, 1\]/);
    expect(fixed.err).toBe('');
  });

  it('writes RGB for 3-channel generators and uses min/max for a linear output', async () => {
    const g = new Sequential([new Dense(4 * 4 * 3, { inputShape: [8], name: 'dense' }), new Reshape([4, 4, 3], { name: 'reshape' }), new UpSampling2D({ name: 'up' })]);
    const dir = join(tmp, 'rgb');
    mkdirSync(dir, { recursive: true });
    const { modelJSON, weightData } = saveModel(g);
    writeFileSync(join(dir, 'model.json'), JSON.stringify(modelJSON));
    writeFileSync(join(dir, 'group1-shard1of1.bin'), new Uint8Array(weightData));
    const out = join(tmp, 'rgb.png');
    const r = await run('generate', dir, '--count', '6', '--out', out, '--padding', '1');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/RGB, 6 samples of 8×8 .* range min\/max of the samples/);
    const png = decodePNG(new Uint8Array(readFileSync(out)));
    expect([png.width, png.height, png.channels, png.colorType]).toEqual([3 * 8 + 4, 2 * 8 + 3, 3, 2]);
  });
});

describe('upconv summary, bench, convert', () => {
  it('summary prints the classic table', async () => {
    const r = await run('summary', WGAN);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe(`${(await loadModel(WGAN)).summary(null)}\n`);
    expect(r.out).toContain('conv2d_transpose (Conv2DTran');
    expect(r.out).toContain('Total params: 851,713');
  });

  it('bench times predict', async () => {
    const r = await run('bench', FASHION, '--batch', '1,2', '--runs', '2');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/136,353 parameters/);
    expect(r.out).toMatch(/^wasm-\S+\s+1\s/m);
    expect(r.out).toMatch(/^wasm-\S+\s+2\s/m);
  });

  it('convert writes a tf.js folder that loads to the same model', async () => {
    const dir = join(tmp, 'converted');
    const r = await run('convert', FASHION, dir);
    expect(r.code, r.err).toBe(0);
    const a = await loadModel(FASHION);
    const b = await loadModel(dir);
    const x = tensor(sampleLatents(2, 32, 'normal', 5), [2, 32]);
    expect(Array.from(b.predict(x).data)).toEqual(Array.from(a.predict(x).data));
  });
});

describe('errors and usage', () => {
  it('a missing file: exit 1 and a FileSourceError', async () => {
    const r = await run('generate', join(tmp, 'nope.h5'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^upconv generate: FileSourceError: no such file: .*nope\.h5/);
  });

  it('an unknown format: exit 1 and an UnknownFormatError', async () => {
    const f = join(tmp, 'notes.txt');
    writeFileSync(f, 'not a model');
    const r = await run('summary', f);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/UnknownFormatError: notes\.txt: unknown format/);
  });

  it('an unsupported layer: exit 1 and every item listed', async () => {
    const dir = join(tmp, 'unsupported');
    mkdirSync(dir, { recursive: true });
    const { modelJSON, weightData } = saveModel(new Sequential([new Dense(4, { inputShape: [2], name: 'd' })]));
    const layers = (modelJSON.modelTopology.model_config as any).config.layers;
    layers.push({ class_name: 'ConvLSTM2D', config: { name: 'lstm' } }, { class_name: 'Dense', config: { name: 'e', units: 2, activation: 'mish' } });
    writeFileSync(join(dir, 'model.json'), JSON.stringify(modelJSON));
    writeFileSync(join(dir, 'group1-shard1of1.bin'), new Uint8Array(weightData));
    const r = await run('summary', join(dir, 'model.json'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/UnsupportedModelError: model\.json: 2 unsupported items:\n {2}.*ConvLSTM2D.*\n {2}.*mish/);
  });

  it('usage errors exit 2 with a hint', async () => {
    for (const argv of [['frobnicate', WGAN], ['generate', WGAN, '--bogus'], ['generate'], ['generate', WGAN, '--count', 'x'],
      ['generate', WGAN, '--latent', 'cauchy'], ['summary', WGAN, '--count', '3'], ['generate', WGAN, '--range', 'wide'], []]) {
      const r = await run(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err).toMatch(/upconv/);
    }
  });

  it('--help and --version', async () => {
    const h = await run('--help');
    expect(h.code).toBe(0);
    expect(h.out).toMatch(/^Usage: upconv <command>/);
    const v = await run('--version');
    expect(v.out).toMatch(/^upconv \d+\.\d+\.\d+/);
  });

  it('the entry is a node program (shebang)', () => {
    const src = readFileSync(new URL('../../bindings/cli/main.ts', import.meta.url), 'utf8');
    expect(src.startsWith('#!/usr/bin/env node\n')).toBe(true);
  });
});

describe('encodePNG', () => {
  it('round-trips gray, gray+alpha, RGB and RGBA pixels', () => {
    for (const c of [1, 2, 3, 4] as const) {
      const w = 13;
      const h = 7;
      const px = new Uint8Array(w * h * c);
      for (let i = 0; i < px.length; i++) px[i] = (i * 37 + (i >> 3) * 11) & 0xff;
      const d = decodePNG(encodePNG(px, w, h, c));
      expect([d.width, d.height, d.channels]).toEqual([w, h, c]);
      expect(Array.from(d.pixels)).toEqual(Array.from(px));
    }
  });
});
