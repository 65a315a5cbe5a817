/// <reference types="node" />
/**
 * The command line, parsed by node:util parseArgs: one set of options for every command (each
 * command then refuses the ones it does not take), one-line errors that end with the hint.
 */
import { parseArgs } from 'node:util';

/** A mistake in the command line: exit status 2, one line, the hint. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const HINT = '(try upconv --help)';

export const USAGE = `Usage: upconv <command> <model-file> [options]

Commands:
  summary  <model-file>            print the classic Keras model summary
  generate <model-file> [options]  sample latents, run the generator, write a PNG grid
  bench    <model-file> [options]  time predict on this model
  convert  <model-file> <out-dir>  write the model as TensorFlow.js Layers files (model.json + .bin)

<model-file>: a Keras .h5 or .keras file, a TensorFlow.js model.json (or its folder), or a URL.

generate options:
  --count N        samples to draw (default 16)
  --seed S         latent seed (default 1): the latents sampleLatents(N, dim, { seed: S }) draws
  --latent KIND    normal (default, N(0, 1)) or uniform (U(-1, 1))
  --out FILE       PNG to write (default grid.png); its folder must exist
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
  --wasm W         the WebAssembly build: auto (default: the best this engine validates),
                   relaxed-simd, simd, scalar. On Node 20, relaxed-simd starts the CLI again once
                   with --experimental-wasm-relaxed-simd (compare with bench --wasm simd)
  -h, --help       this text;  -v, --version   the version
`;

const VALUE_OPTIONS = ['count', 'seed', 'latent', 'out', 'range', 'cols', 'scale', 'padding', 'background', 'batch', 'runs', 'backend', 'wasm'] as const;
const FLAG_OPTIONS = ['progress', 'no-progress', 'help', 'version'] as const;
const SHORT: Readonly<Record<string, string>> = { help: 'h', version: 'v' };

export interface Parsed {
  positional: string[];
  options: Map<string, string | true>;
}

/** `--range -1,1` and `--seed -5`: a value that starts with a dash and a digit belongs to its option. */
function joinNegativeValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const key = a.startsWith('--') ? a.slice(2) : '';
    if ((VALUE_OPTIONS as readonly string[]).includes(key) && /^-[\d.]/.test(argv[i + 1] ?? '')) {
      out.push(`${a}=${argv[++i]}`);
    } else {
      out.push(a);
    }
  }
  return out;
}

/** One line for what parseArgs found wrong. */
function usageMessage(e: Error & { code?: string }): string {
  const name = /'(-[^' ]+)/.exec(e.message)?.[1] ?? '';
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${name}`;
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    if (/does not take an argument/.test(e.message)) return `${name} takes no value`;
    return `${name} needs a value`;
  }
  return e.message.split('\n')[0];
}

/** Splits `argv` into positionals and options; UsageError on anything parseArgs refuses. */
export function parse(argv: readonly string[]): Parsed {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = Object.create(null);
  for (const k of VALUE_OPTIONS) options[k] = { type: 'string' };
  for (const k of FLAG_OPTIONS) options[k] = SHORT[k] ? { type: 'boolean', short: SHORT[k] } : { type: 'boolean' };
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: joinNegativeValues(argv), options, strict: true, allowPositionals: true }) as {
      values: Record<string, string | boolean | undefined>;
      positionals: string[];
    });
  } catch (e) {
    throw new UsageError(usageMessage(e as Error));
  }
  const parsed = new Map<string, string | true>();
  for (const [k, v] of Object.entries(values)) if (v !== undefined && v !== false) parsed.set(k, v);
  return { positional: positionals, options: parsed };
}

export function intOption(p: Parsed, key: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const v = p.options.get(key);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v === true || v.trim() === '' || !Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${key} must be an integer from ${min} to ${max}, got '${String(v)}'`);
  return n;
}

export function strOption(p: Parsed, key: string, fallback: string): string {
  const v = p.options.get(key);
  return typeof v === 'string' ? v : fallback;
}

/** Refuses options `command` does not take (every command takes --help, --version, --backend, --wasm). */
export function allowOnly(p: Parsed, command: string, keys: readonly string[]): void {
  for (const k of p.options.keys()) {
    if (!keys.includes(k) && !['help', 'version', 'backend', 'wasm'].includes(k)) throw new UsageError(`${command} does not take --${k}`);
  }
}

/** --wasm: which WebAssembly build init() loads (auto: the best this engine validates). */
export function wasmOption(p: Parsed): 'relaxed-simd' | 'simd' | 'scalar' | undefined {
  const v = strOption(p, 'wasm', 'auto');
  if (v === 'auto') return undefined;
  if (v === 'relaxed-simd' || v === 'simd' || v === 'scalar') return v;
  throw new UsageError(`--wasm must be auto, relaxed-simd, simd or scalar, got '${v}'`);
}

/** The model file argument. */
export function modelArg(p: Parsed, command: string, max = 1): string {
  const file = p.positional[1];
  if (!file) throw new UsageError(`${command} needs a model file`);
  if (p.positional.length > 1 + max) throw new UsageError(`${command} takes ${max === 1 ? 'one model file' : `${max} arguments`}, got ${p.positional.length - 1} arguments`);
  return file;
}
