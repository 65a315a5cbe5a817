/// <reference types="node" />
/** `upconv summary`, `bench` and `convert`. */
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { getBackend, setBackend } from '../backend/select.js';
import { useBackend } from './backend.js';
import { sampleLatents } from '../image/latents.js';
import { loadModel, saveModel } from '../io/index.js';
import type { CliIO } from './io.js';
import { allowOnly, intOption, modelArg, type Parsed, strOption, UsageError } from './options.js';

export async function summary(p: Parsed, io: CliIO): Promise<number> {
  allowOnly(p, 'summary', []);
  const model = await loadModel(modelArg(p, 'summary'));
  model.summary((text) => io.stdout(`${text}\n`));
  return 0;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export async function bench(p: Parsed, io: CliIO): Promise<number> {
  allowOnly(p, 'bench', ['batch', 'runs', 'seed']);
  const file = modelArg(p, 'bench');
  const now = io.now ?? (() => performance.now());
  const batches = strOption(p, 'batch', '1,16').split(',').map((s) => Number(s.trim()));
  if (batches.some((b) => !Number.isInteger(b) || b < 1 || b > 4096)) throw new UsageError(`--batch must be a list of integers from 1 to 4096, got '${strOption(p, 'batch', '')}'`);
  const runs = intOption(p, 'runs', 20, 1, 100_000);
  const seed = intOption(p, 'seed', 1, -(2 ** 31), 2 ** 32 - 1);
  const which = await useBackend(p, true);
  const t0 = now();
  const model = await loadModel(file);
  const loadMs = now() - t0;
  if (!model.inputShape || model.inputs.length !== 1) throw new UsageError(`bench needs a model with one input; this one has ${model.inputs.length}`);
  const inShape = model.inputShape.slice(1) as number[];
  io.stdout(`${file}: ${model.countParams().toLocaleString('en-US')} parameters, input (None, ${inShape.join(', ')}), output (None, ${model.outputShape!.slice(1).join(', ')}); loaded in ${loadMs.toFixed(1)} ms\n`);
  io.stdout(`${'backend'.padEnd(18)}${'batch'.padStart(6)}${'first ms'.padStart(11)}${'median ms'.padStart(11)}${'min ms'.padStart(9)}${'samples/s'.padStart(11)}\n`);
  for (const backend of which === 'both' ? ['wasm', 'js'] as const : [which as 'wasm' | 'js']) {
    setBackend(backend);
    for (const b of batches) {
      const x = sampleLatents(b, inShape, { seed });
      const f0 = now();
      model.predict(x); // plans for this batch size
      const first = now() - f0;
      for (let i = 0; i < 3; i++) model.predict(x);
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const s = now();
        model.predict(x);
        times.push(now() - s);
      }
      const med = median(times);
      io.stdout(`${getBackend().padEnd(18)}${String(b).padStart(6)}${first.toFixed(2).padStart(11)}${med.toFixed(3).padStart(11)}${Math.min(...times).toFixed(3).padStart(9)}${(b / (med / 1000)).toFixed(0).padStart(11)}\n`);
    }
  }
  return 0;
}

export async function convert(p: Parsed, io: CliIO): Promise<number> {
  allowOnly(p, 'convert', []);
  const file = modelArg(p, 'convert', 2);
  const dir = p.positional[2];
  if (!dir) throw new UsageError('convert takes a model file and an output folder');
  const model = await loadModel(file);
  const { modelJSON, weightData } = saveModel(model);
  // the folder's parents are made as before; saveModel writes its files atomically and names
  // what is wrong with the target (a file or device where the folder should be)
  await mkdir(dirname(resolve(dir)), { recursive: true }).catch(() => undefined);
  await saveModel(model, dir.endsWith('/') ? dir : `${dir}/`);
  io.stdout(`wrote ${join(dir, 'model.json')} and ${modelJSON.weightsManifest[0].paths[0]} (${weightData.byteLength} bytes of weights)\n`);
  return 0;
}
