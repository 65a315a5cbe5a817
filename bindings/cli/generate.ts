/// <reference types="node" />
/** `upconv generate`: latents → the generator → one PNG grid. */
import { statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { latentWalk, sampleLatents } from '../image/latents.js';
import { sampleLayout } from '../image/layout.js';
import { toPNG } from '../image/to_image.js';
import { loadModel } from '../io/index.js';
import type { Model } from '../model/model.js';
import { type Tensor, tensor } from '../tensor.js';
import type { CliIO } from './io.js';
import { gridSize, parseRange } from './images.js';
import { allowOnly, intOption, modelArg, type Parsed, strOption, UsageError } from './options.js';
import { useBackend } from './backend.js';

/** Refuses an --out whose folder is missing (before any work), or that is a folder itself. */
function checkOut(out: string): void {
  const folder = dirname(resolve(out));
  let isDir = false;
  try {
    isDir = statSync(folder).isDirectory();
  } catch {
    /* missing */
  }
  if (!isDir) throw new UsageError(`--out ${out}: the folder ${folder} does not exist (create it first)`);
  try {
    const st = statSync(out);
    if (st.isDirectory()) throw new UsageError(`--out ${out} is a folder; give a file name, e.g. ${out.replace(/\/+$/, '')}/grid.png`);
    // a FIFO would block the write until someone reads it, a device takes endless bytes
    if (!st.isFile()) throw new UsageError(`--out ${out} exists and is not a regular file (a pipe, socket or device); give a file name`);
  } catch (e) {
    if (e instanceof UsageError) throw e;
  }
}

function progressBar(io: CliIO, total: number, enabled: boolean): (done: number) => void {
  if (!enabled) return () => {};
  const width = 30;
  let last = -1;
  return (done) => {
    const filled = Math.round((done / total) * width);
    const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} samples`;
    if (io.isTTY) {
      io.stderr(`\r${line}${done === total ? '\n' : ''}`);
    } else if (filled !== last || done === total) {
      io.stderr(`${line}\n`);
    }
    last = filled;
  };
}

/** The model file (positional or --model), or null for the shipped Fashion-MNIST generator. */
function modelFile(p: Parsed): string | null {
  const flag = p.options.get('model');
  if (flag !== undefined) {
    if (p.positional.length > 1) throw new UsageError(`generate takes the model as --model or as an argument, not both`);
    if (flag === true || flag === '') throw new UsageError('--model needs a file');
    return flag;
  }
  return p.positional.length > 1 ? modelArg(p, 'generate') : null;
}

async function loadGenerator(file: string | null): Promise<{ model: Model; label: string }> {
  if (file !== null) return { model: await loadModel(file), label: file };
  // a separate chunk: the shipped weights load only when no model is given
  const { fashionDCGAN } = await import('../models/fashion_dcgan.js');
  return { model: fashionDCGAN(), label: "upconv's Fashion-MNIST generator, upconv/models/fashion-dcgan" };
}

export async function generate(p: Parsed, io: CliIO): Promise<number> {
  allowOnly(p, 'generate', ['model', 'count', 'interpolate', 'walks', 'seed', 'latent', 'out', 'range', 'cols', 'scale', 'padding', 'background', 'batch', 'progress', 'no-progress']);
  const file = modelFile(p);
  const steps = p.options.has('interpolate') ? intOption(p, 'interpolate', 8, 2, 4096) : 0;
  if (!steps && p.options.has('walks')) throw new UsageError('--walks goes with --interpolate');
  if (steps && p.options.has('count')) throw new UsageError('with --interpolate the grid has --walks rows of --interpolate frames; --count does not apply');
  const walks = steps ? intOption(p, 'walks', 1, 1, 4096) : 0;
  const count = steps ? steps * walks : intOption(p, 'count', 16, 1, 100_000);
  const seed = intOption(p, 'seed', 1, -(2 ** 31), 2 ** 32 - 1);
  const latent = strOption(p, 'latent', 'normal');
  if (latent !== 'normal' && latent !== 'uniform') throw new UsageError(`--latent must be normal or uniform, got '${latent}'`);
  const out = strOption(p, 'out', 'grid.png');
  checkOut(out);
  const grid = {
    cols: Math.min(intOption(p, 'cols', steps || Math.ceil(Math.sqrt(count)), 1, 100_000), count),
    scale: intOption(p, 'scale', 1, 1, 64),
    padding: intOption(p, 'padding', 2, 0, 1000),
  };
  const background = intOption(p, 'background', 128, 0, 255);
  const batch = intOption(p, 'batch', 64, 1, 100_000);
  await useBackend(p);
  const { model, label } = await loadGenerator(file);
  if (!model.inputShape || !model.outputShape || model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new UsageError(`generate needs a generator with one input and one output; this model has ${model.inputs.length} and ${model.outputs.length}`);
  }
  const inShape = model.inputShape.slice(1) as number[];
  const outShape = model.outputShape.slice(1) as number[];
  if (inShape.some((d) => d === null) || outShape.some((d) => d === null)) throw new UsageError(`generate needs fixed input and output shapes, got (None, ${inShape.join(', ')}) → (None, ${outShape.join(', ')})`);
  const layout = sampleLayout(outShape);
  if (!layout) throw new UsageError(`cannot draw samples of shape (${outShape.join(', ')}): expected (H, W, 1-4), (H, W) or a flat square`);
  const rangeSpec = parseRange(strOption(p, 'range', 'auto'), model.layers);
  const { width, height } = gridSize(count, layout.h, layout.w, grid);
  if (width * height * layout.c > 2 ** 28) throw new UsageError(`the grid would be ${width}×${height} pixels; use fewer samples or a smaller --scale`);
  const z = (steps ? latentWalk(steps, inShape, { seed, distribution: latent, walks }) : sampleLatents(count, inShape, { seed, distribution: latent })).data;
  const latentSize = z.length / count;
  const sampleSize = outShape.reduce((a, b) => a * b, 1);
  const samples = new Float32Array(count * sampleSize);
  const show = p.options.has('no-progress') ? false : p.options.has('progress') ? true : !!io.isTTY && count > batch;
  const tick = progressBar(io, count, show);
  for (let start = 0; start < count; start += batch) {
    const n = Math.min(batch, count - start);
    const x = tensor(z.subarray(start * latentSize, (start + n) * latentSize), [n, ...inShape]);
    samples.set((model.predict(x) as Tensor).data, start * sampleSize);
    tick(start + n);
  }
  let range: { lo: number; hi: number };
  if ('minmax' in rangeSpec) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of samples) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    range = Number.isFinite(lo) && Number.isFinite(hi) ? { lo, hi: hi > lo ? hi : lo + 1 } : { lo: 0, hi: 1 };
  } else {
    range = rangeSpec;
  }
  // the padding's gray level in the samples' units; an alpha channel's padding is opaque
  const gray = range.lo + (background / 255) * (range.hi - range.lo);
  const fill = Array.from({ length: layout.c }, (_, k) => ((layout.c === 2 || layout.c === 4) && k === layout.c - 1 ? range.hi : gray));
  const png = toPNG(tensor(samples, [count, ...outShape]), {
    range: [range.lo, range.hi], columns: grid.cols, padding: grid.padding, scale: grid.scale, background: fill,
  });
  await writeFile(out, png);
  const kind = ({ 1: 'grayscale', 2: 'grayscale+alpha', 3: 'RGB', 4: 'RGBA' } as const)[layout.c];
  const what = steps ? `${walks} latent walk${walks > 1 ? 's' : ''} of ${steps} frames` : `${count} samples`;
  io.stdout(`wrote ${out}: ${width}×${height} ${kind}, ${what} of ${layout.w}×${layout.h} from ${latent} latents (seed ${seed}), range ${rangeSpec.label}${'minmax' in rangeSpec ? ` = [${range.lo.toPrecision(4)}, ${range.hi.toPrecision(4)}]` : ''}${label ? `; ${label}` : ''}\n`);
  return 0;
}
