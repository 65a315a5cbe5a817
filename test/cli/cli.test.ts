import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Conv2D, Dense, Reshape, sampleLatents, Sequential, setSeed, toPNG, UpSampling2D } from '../../bindings/index.js';
import { loadModel, saveModel } from '../../bindings/io/index.js';
import { main } from '../../bindings/cli/main.js';
import { decodePNG } from '../util/png.js';
import { describeShared, MODELS } from '../util/shared.js';
import { tempDir } from '../util/tmp.js';

const WGAN = join(MODELS, 'wgan-mnist3-convtranspose', 'generator_model.h5');
const FASHION = join(MODELS, 'fashion-gan-upsampling2d', 'generator.h5');
const tmp = tempDir('upconv-cli-');

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (t) => { out += t; }, stderr: (t) => { err += t; }, isTTY: false });
  return { code, out, err };
}

/** A model built in code, saved as a tf.js folder: `activation` on the last layer, `channels` out. */
function savedModel(name: string, { channels = 1, activation = 'tanh' } = {}): string {
  setSeed(7);
  const g = new Sequential([
    new Dense(4 * 4 * 8, { inputShape: [8], name: 'dense' }),
    new Reshape([4, 4, 8], { name: 'reshape' }),
    new UpSampling2D({ name: 'up' }),
    new Conv2D(channels, [3, 3], { padding: 'same', activation, name: 'conv' }),
  ]);
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  const { modelJSON, weightData } = saveModel(g);
  writeFileSync(join(dir, 'model.json'), JSON.stringify(modelJSON));
  writeFileSync(join(dir, 'group1-shard1of1.bin'), new Uint8Array(weightData));
  return dir;
}

const TANH = savedModel('tanh');

describe('upconv generate', () => {
  it('writes a grayscale PNG grid: 9 tiles of 8×8 in 3 columns with 2 px padding, pixels = toPNG of the same latents', async () => {
    const out = join(tmp, 'grid.png');
    const r = await run('generate', TANH, '--count', '9', '--seed', '3', '--out', out);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/wrote .*grid\.png: 32×32 grayscale, 9 samples of 8×8 from normal latents \(seed 3\), range tanh \[-1, 1\]/);
    const png = decodePNG(new Uint8Array(readFileSync(out)));
    expect([png.width, png.height, png.channels, png.colorType]).toEqual([3 * 8 + 4 * 2, 32, 1, 0]);
    // tile (row 1, column 2) is sample 5: its pixels are the model's outputs mapped from [-1, 1]
    const model = await loadModel(TANH);
    const y = model.predict(sampleLatents(9, 8, { seed: 3 }));
    let worst = 0;
    for (let yy = 0; yy < 8; yy++) {
      for (let x = 0; x < 8; x++) {
        const want = Math.round(Math.min(1, Math.max(0, (y.data[5 * 64 + yy * 8 + x] + 1) / 2)) * 255);
        worst = Math.max(worst, Math.abs(png.pixels[(2 + 8 + 2 + yy) * 32 + 2 + 2 * 10 + x] - want));
      }
    }
    expect(worst).toBe(0);
    expect(png.pixels[0]).toBe(128); // the padding: --background 128
  });

  it('writes RGB for 3-channel generators and uses min/max for a linear output', async () => {
    const dir = savedModel('rgb', { channels: 3, activation: 'linear' });
    const out = join(tmp, 'rgb.png');
    const r = await run('generate', dir, '--count', '6', '--out', out, '--padding', '1');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/RGB, 6 samples of 8×8 .* range min\/max of the samples/);
    const png = decodePNG(new Uint8Array(readFileSync(out)));
    expect([png.width, png.height, png.channels, png.colorType]).toEqual([3 * 8 + 4, 2 * 8 + 3, 3, 2]);
    const values = new Set(png.pixels);
    expect(values.has(0) && values.has(255)).toBe(true); // min/max: the extremes are black and white
  });

  it('takes a negative range and seed as the next argument (--range -1,1, --seed -5)', async () => {
    const r = await run('generate', TANH, '--count', '4', '--range', '-1,1', '--seed', '-5', '--out', join(tmp, 'neg.png'));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/\(seed -5\), range \[-1, 1\]/);
    expect(r.err).toBe('');
  });

  it('--out into a missing folder: exit 2 and one line that says so, before loading anything', async () => {
    const r = await run('generate', join(tmp, 'no-such-model.h5'), '--out', join(tmp, 'missing', 'grid.png'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^upconv generate: --out .*missing[/\\]grid\.png: the folder .*missing does not exist \(create it first\) \(try upconv --help\)\n$/);
    expect(existsSync(join(tmp, 'missing'))).toBe(false);
  });
});

describe('upconv generate with no model: the shipped Fashion-MNIST generator', () => {
  /** The 28×28 tile at (row, col) of a grid written with --padding 0. */
  const tile = (png: ReturnType<typeof decodePNG>, row: number, col: number) => {
    const t = new Uint8Array(28 * 28);
    for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) t[y * 28 + x] = png.pixels[(row * 28 + y) * png.width + col * 28 + x];
    return t;
  };

  it("writes the same PNG, byte for byte, as the API's toPNG of the same latents with its defaults (docs/cli.md)", async () => {
    const out = join(tmp, 'same.png');
    const r = await run('generate', '--count', '6', '--seed', '4', '--out', out);
    expect(r.code, r.err).toBe(0);
    const { fashionDCGAN } = await import('../../bindings/models/fashion_dcgan.js');
    const api = toPNG(fashionDCGAN().predict(sampleLatents(6, 100, { seed: 4 })), { range: 'tanh' });
    expect(Buffer.from(readFileSync(out)).equals(Buffer.from(api))).toBe(true);
    // the padding is gray 128 (the CLI's default --background), not the samples' midpoint
    expect(decodePNG(api).pixels[0]).toBe(128);
  });

  it('draws garments from upconv/models/fashion-dcgan with range tanh; --model FILE is the positional file', async () => {
    const out = join(tmp, 'fashion.png');
    const r = await run('generate', '--count', '4', '--seed', '2', '--padding', '0', '--out', out);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/56×56 grayscale, 4 samples of 28×28 from normal latents \(seed 2\), range tanh \[-1, 1\]; upconv's Fashion-MNIST generator/);
    const png = decodePNG(new Uint8Array(readFileSync(out)));
    const { fashionDCGAN } = await import('../../bindings/models/fashion_dcgan.js');
    const y = fashionDCGAN().predict(sampleLatents(4, 100, { seed: 2 }));
    let worst = 0;
    for (let i = 0; i < 28 * 28; i++) worst = Math.max(worst, Math.abs(tile(png, 1, 1)[i] - Math.round(Math.min(1, Math.max(0, (y.data[3 * 784 + i] + 1) / 2)) * 255)));
    expect(worst).toBe(0);
    const a = await run('generate', TANH, '--count', '2', '--out', join(tmp, 'pos.png'));
    const b = await run('generate', '--model', TANH, '--count', '2', '--out', join(tmp, 'flag.png'));
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(Buffer.compare(readFileSync(join(tmp, 'pos.png')), readFileSync(join(tmp, 'flag.png')))).toBe(0);
  });

  it('--interpolate 8 --walks 2: two rows of 8 frames; a walk starts at the seed\'s first sample and rows join up', async () => {
    const out = join(tmp, 'walk.png');
    const r = await run('generate', '--interpolate', '8', '--walks', '2', '--seed', '5', '--padding', '0', '--out', out);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/224×56 grayscale, 2 latent walks of 8 frames of 28×28/);
    const walk = decodePNG(new Uint8Array(readFileSync(out)));
    const one = decodePNG(new Uint8Array((await run('generate', '--count', '1', '--seed', '5', '--padding', '0', '--out', join(tmp, 'one.png')), readFileSync(join(tmp, 'one.png')))));
    expect(Array.from(tile(walk, 0, 0))).toEqual(Array.from(tile(one, 0, 0)));
    expect(Array.from(tile(walk, 1, 0))).toEqual(Array.from(tile(walk, 0, 7))); // row 2 starts where row 1 ended
    expect(Array.from(tile(walk, 0, 3))).not.toEqual(Array.from(tile(walk, 0, 0)));
  });
});

describeShared('upconv generate on the shared trained generators', () => {
  it('--seed 1234 --count 4 draws exactly the reference latents, mapped tanh → 0..255', async () => {
    const ref = JSON.parse(readFileSync(join(MODELS, 'wgan-mnist3-convtranspose', 'reference_outputs.json'), 'utf8'));
    expect(Array.from(sampleLatents(4, 50, { seed: 1234 }).data)).toEqual(ref.inputs.flat().map(Math.fround));
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
  });

  it('summary prints the classic table', async () => {
    const r = await run('summary', WGAN);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe(`${(await loadModel(WGAN)).summary(null)}\n`);
    expect(r.out).toContain('conv2d_transpose (Conv2DTran');
    expect(r.out).toContain('Total params: 851,713');
  });
});

describe('upconv summary, bench, convert', () => {
  it('summary prints the model summary', async () => {
    const r = await run('summary', TANH);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe(`${(await loadModel(TANH)).summary(null)}\n`);
  });

  it('bench times predict for each batch size', async () => {
    const r = await run('bench', TANH, '--batch', '1,2', '--runs', '2');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/: 1,225 parameters, input \(None, 8\), output \(None, 8, 8, 1\)/);
    expect(r.out).toMatch(/^wasm-\S+\s+1\s/m);
    expect(r.out).toMatch(/^wasm-\S+\s+2\s/m);
  });

  it('convert writes a tf.js folder that loads to the same model', async () => {
    const dir = join(tmp, 'converted');
    const r = await run('convert', TANH, dir);
    expect(r.code, r.err).toBe(0);
    const a = await loadModel(TANH);
    const b = await loadModel(dir);
    const x = sampleLatents(2, 8, { seed: 5 });
    expect(Array.from(b.predict(x).data)).toEqual(Array.from(a.predict(x).data));
  });
});

describe('errors and usage', () => {
  it('a missing file: exit 1 and a FileSourceError', async () => {
    const r = await run('generate', join(tmp, 'nope.h5'), '--out', join(tmp, 'x.png'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^upconv generate: FileSourceError: no such file: .*nope\.h5/);
  });

  it.skipIf(process.platform === 'win32')('--out naming a FIFO is refused before any work (writing would block until a reader came)', async () => {
    const fifo = join(tmp, 'out.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const r = await run('generate', TANH, '--out', fifo);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--out .*out\.fifo exists and is not a regular file/);
  });

  it('convert onto a file or device where the folder should be: exit 1 and a FileSourceError, nothing written', async () => {
    const file = join(tmp, 'a-file');
    writeFileSync(file, 'keep me');
    for (const target of [file, '/dev/null']) {
      const r = await run('convert', TANH, target);
      expect(r.code, target).toBe(1);
      expect(r.err, target).toMatch(/FileSourceError: saveModel: .* exists and is not a folder/);
    }
    expect(readFileSync(file, 'utf8')).toBe('keep me');
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

  it('an unknown option: exit 2, one line with the hint (not the whole usage)', async () => {
    for (const [argv, said] of [
      [['generate', TANH, '--bogus'], /^upconv: unknown option --bogus \(try upconv --help\)\n$/],
      [['-x'], /^upconv: unknown option -x \(try upconv --help\)\n$/],
      [['generate', TANH, '--count'], /^upconv: --count needs a value \(try upconv --help\)\n$/],
      [['generate', TANH, '--progress=yes'], /^upconv: --progress takes no value \(try upconv --help\)\n$/],
      [['summary', TANH, '--count', '3'], /^upconv summary: summary does not take --count \(try upconv --help\)\n$/],
    ] as const) {
      const r = await run(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err, argv.join(' ')).toMatch(said);
    }
  });

  it('unknown commands, including Object.prototype names, exit 2 with one line', async () => {
    for (const command of ['frobnicate', 'constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const r = await run(command, TANH);
      expect(r.code, command).toBe(2);
      expect(r.err, command).toBe(`upconv: unknown command '${command}' (try upconv --help)\n`);
    }
  });

  it('bad option values exit 2 with one line naming the option', async () => {
    for (const [argv, said] of [
      [['generate', '--walks', '2'], /--walks goes with --interpolate/],
      [['generate', '--interpolate', '8', '--count', '4'], /--count does not apply/],
      [['generate', '--interpolate', '1'], /--interpolate must be an integer from 2 to 4096, got '1'/],
      [['generate', TANH, '--model', TANH], /not both/],
      [['generate', TANH, '--count', 'x'], /--count must be an integer from 1 to 100000, got 'x'/],
      [['generate', TANH, '--latent', 'cauchy'], /--latent must be normal or uniform, got 'cauchy'/],
      [['generate', TANH, '--range', 'wide', '--out', join(tmp, 'w.png')], /--range must be auto, tanh, sigmoid, minmax or LO,HI/],
      [['bench', TANH, '--backend', 'gpu'], /--backend must be wasm, js or both, got 'gpu'/],
      [['bench', TANH, '--wasm', 'sse'], /--wasm must be auto, relaxed-simd, simd or scalar, got 'sse'/],
    ] as const) {
      const r = await run(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err.split('\n')).toHaveLength(2);
      expect(r.err).toMatch(said);
    }
  });

  it('no command prints the usage to stderr (exit 2); --help to stdout; --version', async () => {
    const none = await run();
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/^Usage: upconv <command>/);
    const h = await run('--help');
    expect(h.code).toBe(0);
    expect(h.out).toMatch(/^Usage: upconv <command>/);
    const v = await run('--version');
    expect(v.out).toBe(`upconv ${JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version}\n`);
  });

  it('--wasm picks the build: simd and scalar in-process; relaxed-simd on Node 20 by starting again with the flag', () => {
    const cli = new URL('../../dist/cli.js', import.meta.url).pathname;
    for (const build of ['simd', 'scalar', 'relaxed-simd']) {
      // a plain node (no --experimental-wasm-relaxed-simd in execArgv), as a user runs the command
      const r = spawnSync(process.execPath, [cli, 'bench', TANH, '--batch', '1', '--runs', '1', '--wasm', build], { encoding: 'utf8', env: { ...process.env, UPCONV_NO_RESPAWN: '' } });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^wasm-${build}\\s+1\\s`, 'm'));
    }
  });

  it('the built program runs under node and exits with the status main returns', () => {
    const cli = new URL('../../dist/cli.js', import.meta.url).pathname;
    expect(readFileSync(cli, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    const r = spawnSync(process.execPath, [cli, 'toString'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("upconv: unknown command 'toString' (try upconv --help)\n");
  });
});

describe('--seed draws what sampleLatents draws', () => {
  it('the CLI feeds sampleLatents(count, inputShape, { seed, distribution }) to the model', async () => {
    const out = join(tmp, 'uniform.png');
    const r = await run('generate', TANH, '--count', '1', '--seed', '11', '--latent', 'uniform', '--padding', '0', '--range', 'tanh', '--out', out);
    expect(r.code, r.err).toBe(0);
    const model = await loadModel(TANH);
    const y = model.predict(sampleLatents(1, [8], { seed: 11, distribution: 'uniform' }));
    const png = decodePNG(new Uint8Array(readFileSync(out)));
    expect(Array.from(png.pixels)).toEqual(Array.from(y.data, (v) => Math.round(Math.min(1, Math.max(0, (v + 1) / 2)) * 255)));
  });
});
