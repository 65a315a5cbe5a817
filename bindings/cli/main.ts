#!/usr/bin/env node
/// <reference types="node" />
/**
 * upconv: the command-line tool.
 *
 *   upconv summary  <model-file>                      the classic Keras summary
 *   upconv generate <model-file> [--count 16 --seed 1 --out grid.png …]
 *   upconv bench    <model-file> [--batch 1,16 --runs 20 --backend wasm|js|both]
 *   upconv convert  <model-file> <out-dir>             to a TensorFlow.js Layers folder
 *
 * `main(argv, io)` does the work and returns the exit code (0 ok, 1 failed, 2 usage), so tests
 * call it in-process; the program runs it only when this file is the one node started.
 */
import { realpathSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getBackend, init, type Model, setBackend, type Tensor, tensor, UpconvError } from '../index.js';
import { loadModel, saveModel } from '../io/index.js';
import { drawGrid, type GridOptions, gridSize, imageLayout, type LatentKind, parseRange, sampleLatents } from './images.js';
import { encodePNG } from './png.js';

/** Where the CLI writes; tests pass their own. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether stderr is a terminal (progress bars redraw in place only then). */
  isTTY?: boolean;
  /** Milliseconds, for timings (default performance.now). */
  now?(): number;
}

const defaultIO: CliIO = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  isTTY: !!process.stderr.isTTY,
};

class UsageError extends Error {}

const USAGE = `Usage: upconv <command> <model-file> [options]

Commands:
  summary  <model-file>            print the classic Keras model summary
  generate <model-file> [options]  sample latents, run the generator, write a PNG grid
  bench    <model-file> [options]  time predict on this model
  convert  <model-file> <out-dir>  write the model as TensorFlow.js Layers files (model.json + .bin)

<model-file>: a Keras .h5 or .keras file, a TensorFlow.js model.json (or its folder), or a URL.

generate options:
  --count N        samples to draw (default 16)
  --seed S         latent seed (default 1); mulberry32, as the shared reference outputs use
  --latent KIND    normal (default, N(0, 1)) or uniform (U(-1, 1))
  --out FILE       PNG to write (default grid.png)
  --range R        output range mapped to 0..255: auto (default: from the last activation,
                   tanh → [-1, 1], sigmoid → [0, 1]), tanh, sigmoid, minmax, or LO,HI
  --cols N         tiles per row (default: ceil(sqrt(count)))
  --scale K        enlarge each tile K times (default 1)
  --padding P      pixels between and around tiles (default 2)
  --background G   gray level 0-255 of the padding (default 128)
  --batch B        samples per predict call (default 64)
  --progress / --no-progress   force or hide the progress bar (default: on a terminal, for more than one batch)

bench options:
  --batch LIST     batch sizes, comma-separated (default 1,16)
  --runs N         timed runs per batch size (default 20), after 3 warm-up runs
  --seed S         latent seed (default 1)

common options:
  --backend B      wasm (default), js (plain TypeScript reference); bench also takes both
  -h, --help       this text;  -v, --version   the version
`;

interface Parsed {
  positional: string[];
  options: Map<string, string | true>;
}

const VALUE_OPTIONS = new Set(['count', 'seed', 'latent', 'out', 'range', 'cols', 'scale', 'padding', 'background', 'batch', 'runs', 'backend']);
const FLAG_OPTIONS = new Set(['progress', 'no-progress', 'help', 'version']);

function parseArgs(argv: readonly string[]): Parsed {
  const positional: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h') options.set('help', true);
    else if (a === '-v') options.set('version', true);
    else if (a === '--') positional.push(...argv.slice(i + 1)), (i = argv.length);
    else if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const key = eq > 0 ? a.slice(2, eq) : a.slice(2);
      if (FLAG_OPTIONS.has(key)) {
        if (eq > 0) throw new UsageError(`--${key} takes no value`);
        options.set(key, true);
      } else if (VALUE_OPTIONS.has(key)) {
        const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
        if (value === undefined) throw new UsageError(`--${key} needs a value`);
        options.set(key, value);
      } else {
        throw new UsageError(`unknown option --${key}`);
      }
    } else if (a.startsWith('-') && a.length > 1 && !/^-\d/.test(a)) {
      throw new UsageError(`unknown option ${a}`);
    } else {
      positional.push(a);
    }
  }
  return { positional, options };
}

function intOption(p: Parsed, key: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const v = p.options.get(key);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v === true || !Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${key} must be an integer from ${min} to ${max}, got '${String(v)}'`);
  return n;
}

function strOption(p: Parsed, key: string, fallback: string): string {
  const v = p.options.get(key);
  return typeof v === 'string' ? v : fallback;
}

function allowOnly(p: Parsed, command: string, keys: string[]): void {
  for (const k of p.options.keys()) {
    if (!keys.includes(k) && !['help', 'version', 'backend'].includes(k)) throw new UsageError(`${command} does not take --${k}`);
  }
}

async function version(): Promise<string> {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const p of [join(here, '..', 'package.json'), join(here, '..', '..', 'package.json')]) {
    try {
      const pkg = JSON.parse(await readFile(p, 'utf8'));
      if (pkg.name === 'upconv') return String(pkg.version);
    } catch {
      /* try the next */
    }
  }
  return 'unknown';
}

async function useBackend(name: string): Promise<void> {
  if (name !== 'wasm' && name !== 'js') throw new UsageError(`--backend must be wasm or js, got '${name}'`);
  await init();
  setBackend(name);
}

function modelArg(p: Parsed, command: string): string {
  const file = p.positional[1];
  if (!file) throw new UsageError(`${command} needs a model file`);
  return file;
}

// ---- commands ---------------------------------------------------------------------------------

async function summary(p: Parsed, io: CliIO): Promise<number> {
  allowOnly(p, 'summary', []);
  if (p.positional.length > 2) throw new UsageError(`summary takes one model file, got ${p.positional.length - 1} arguments`);
  const model = await loadModel(modelArg(p, 'summary'));
  model.summary((text) => io.stdout(`${text}\n`));
  return 0;
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

async function generate(p: Parsed, io: CliIO): Promise<number> {
  allowOnly(p, 'generate', ['count', 'seed', 'latent', 'out', 'range', 'cols', 'scale', 'padding', 'background', 'batch', 'progress', 'no-progress']);
  if (p.positional.length > 2) throw new UsageError(`generate takes one model file, got ${p.positional.length - 1} arguments`);
  const count = intOption(p, 'count', 16, 1, 100_000);
  const seed = intOption(p, 'seed', 1, -(2 ** 31), 2 ** 32 - 1);
  const latent = strOption(p, 'latent', 'normal') as LatentKind;
  if (latent !== 'normal' && latent !== 'uniform') throw new UsageError(`--latent must be normal or uniform, got '${latent}'`);
  const out = strOption(p, 'out', 'grid.png');
  const cols = intOption(p, 'cols', Math.ceil(Math.sqrt(count)), 1, 100_000);
  const grid: GridOptions = {
    cols: Math.min(cols, count),
    scale: intOption(p, 'scale', 1, 1, 64),
    padding: intOption(p, 'padding', 2, 0, 1000),
    background: intOption(p, 'background', 128, 0, 255),
  };
  const batch = intOption(p, 'batch', 64, 1, 100_000);
  await useBackend(strOption(p, 'backend', 'wasm'));
  const model = await loadModel(modelArg(p, 'generate'));
  const inShape = model.inputShape!.slice(1) as number[];
  const outShape = model.outputShape!.slice(1) as number[];
  const layout = imageLayout(outShape);
  let rangeSpec;
  try {
    rangeSpec = parseRange(strOption(p, 'range', 'auto'), model.layers);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { width, height } = gridSize(count, layout.h, layout.w, grid);
  if (width * height * layout.c > 2 ** 30) throw new UsageError(`the grid would be ${width}×${height} pixels; use fewer samples or a smaller --scale`);
  const latentSize = inShape.reduce((a, b) => a * b, 1);
  const z = sampleLatents(count, latentSize, latent, seed);
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
    range = { lo, hi: hi > lo ? hi : lo + 1 };
  } else {
    range = rangeSpec;
  }
  const img = drawGrid(samples, count, layout.h, layout.w, layout.c, range, grid);
  const png = encodePNG(img.pixels, img.width, img.height, layout.c);
  await writeFile(out, png);
  const kind = layout.c === 1 ? 'grayscale' : layout.c === 3 ? 'RGB' : 'RGBA';
  io.stdout(`wrote ${out}: ${img.width}×${img.height} ${kind}, ${count} samples of ${layout.w}×${layout.h} from ${latent} latents (seed ${seed}), range ${rangeSpec.label}${'minmax' in rangeSpec ? ` = [${range.lo.toPrecision(4)}, ${range.hi.toPrecision(4)}]` : ''}\n`);
  return 0;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function bench(p: Parsed, io: CliIO): Promise<number> {
  allowOnly(p, 'bench', ['batch', 'runs', 'seed']);
  if (p.positional.length > 2) throw new UsageError(`bench takes one model file, got ${p.positional.length - 1} arguments`);
  const now = io.now ?? (() => performance.now());
  const batches = strOption(p, 'batch', '1,16').split(',').map((s) => Number(s.trim()));
  if (batches.some((b) => !Number.isInteger(b) || b < 1 || b > 4096)) throw new UsageError(`--batch must be a list of integers from 1 to 4096, got '${strOption(p, 'batch', '')}'`);
  const runs = intOption(p, 'runs', 20, 1, 100_000);
  const seed = intOption(p, 'seed', 1, -(2 ** 31), 2 ** 32 - 1);
  const which = strOption(p, 'backend', 'wasm');
  if (!['wasm', 'js', 'both'].includes(which)) throw new UsageError(`--backend must be wasm, js or both, got '${which}'`);
  await init();
  const file = modelArg(p, 'bench');
  const t0 = now();
  const model: Model = await loadModel(file);
  const loadMs = now() - t0;
  const inShape = model.inputShape!.slice(1) as number[];
  const latentSize = inShape.reduce((a, b) => a * b, 1);
  io.stdout(`${file}: ${model.countParams().toLocaleString('en-US')} parameters, input (None, ${inShape.join(', ')}), output (None, ${model.outputShape!.slice(1).join(', ')}); loaded in ${loadMs.toFixed(1)} ms\n`);
  io.stdout(`${'backend'.padEnd(18)}${'batch'.padStart(6)}${'first ms'.padStart(11)}${'median ms'.padStart(11)}${'min ms'.padStart(9)}${'samples/s'.padStart(11)}\n`);
  for (const backend of which === 'both' ? ['wasm', 'js'] : [which]) {
    setBackend(backend as 'wasm' | 'js');
    for (const b of batches) {
      const x = tensor(sampleLatents(b, latentSize, 'normal', seed), [b, ...inShape]);
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

async function convert(p: Parsed, io: CliIO): Promise<number> {
  allowOnly(p, 'convert', []);
  const file = modelArg(p, 'convert');
  const dir = p.positional[2];
  if (!dir || p.positional.length > 3) throw new UsageError('convert takes a model file and an output folder');
  const model = await loadModel(file);
  const { modelJSON, weightData } = saveModel(model);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'model.json'), JSON.stringify(modelJSON));
  await writeFile(join(dir, modelJSON.weightsManifest[0].paths[0]), new Uint8Array(weightData));
  io.stdout(`wrote ${join(dir, 'model.json')} and ${modelJSON.weightsManifest[0].paths[0]} (${weightData.byteLength} bytes of weights)\n`);
  return 0;
}

/** Runs the CLI with `argv` (without node and the script) and returns the exit code. */
export async function main(argv: readonly string[], io: CliIO = defaultIO): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = parseArgs(argv);
  } catch (e) {
    io.stderr(`upconv: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const command = parsed.positional[0];
  if (parsed.options.has('version')) {
    io.stdout(`upconv ${await version()}\n`);
    return 0;
  }
  if (parsed.options.has('help') || command === 'help' || command === undefined) {
    (command === undefined && !parsed.options.has('help') ? io.stderr : io.stdout)(USAGE);
    return command === undefined && !parsed.options.has('help') ? 2 : 0;
  }
  const commands: Record<string, (p: Parsed, io: CliIO) => Promise<number>> = { summary, generate, bench, convert };
  const run = commands[command];
  if (!run) {
    io.stderr(`upconv: unknown command '${command}'\n\n${USAGE}`);
    return 2;
  }
  try {
    return await run(parsed, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`upconv ${command}: ${e.message}\n(see upconv --help)\n`);
      return 2;
    }
    const err = e as Error;
    const kind = e instanceof UpconvError ? err.name : 'Error';
    io.stderr(`upconv ${command}: ${kind}: ${err.message}\n`);
    if (!(e instanceof UpconvError) && process.env.UPCONV_DEBUG) io.stderr(`${err.stack}\n`);
    return 1;
  }
}

function isMain(): boolean {
  try {
    return !!process.argv[1] && realpathSync(resolve(process.argv[1])) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
