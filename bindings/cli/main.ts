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
import '../entry/inline_provider.js';
import { spawn } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { constants } from 'node:os';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { supportedFlavours } from '../backend/wasm.js';
import { UpconvError } from '../errors.js';
import { bench, convert, summary } from './commands.js';
import { generate } from './generate.js';
import type { CliIO } from './io.js';
import { HINT, parse, type Parsed, USAGE, UsageError } from './options.js';

export type { CliIO } from './io.js';

const defaultIO: CliIO = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  isTTY: !!process.stderr.isTTY,
};

/** The commands, by name (a Map: `constructor` or `__proto__` are unknown commands, not methods). */
const COMMANDS: ReadonlyMap<string, (p: Parsed, io: CliIO) => Promise<number>> = new Map([
  ['summary', summary],
  ['generate', generate],
  ['bench', bench],
  ['convert', convert],
]);

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

/** Runs the CLI with `argv` (without node and the script) and returns the exit code. */
export async function main(argv: readonly string[], io: CliIO = defaultIO): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = parse(argv);
  } catch (e) {
    io.stderr(`upconv: ${(e as Error).message} ${HINT}\n`);
    return 2;
  }
  const command = parsed.positional[0];
  if (parsed.options.has('version')) {
    io.stdout(`upconv ${await version()}\n`);
    return 0;
  }
  if (parsed.options.has('help') || command === 'help') {
    io.stdout(USAGE);
    return 0;
  }
  if (command === undefined) {
    io.stderr(USAGE);
    return 2;
  }
  const run = COMMANDS.get(command);
  if (!run) {
    io.stderr(`upconv: unknown command '${command}' ${HINT}\n`);
    return 2;
  }
  try {
    return await run(parsed, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`upconv ${command}: ${e.message} ${HINT}\n`);
      return 2;
    }
    const err = e as Error;
    const kind = e instanceof UpconvError ? err.name : 'Error';
    io.stderr(`upconv ${command}: ${kind}: ${err.message}\n`);
    if (!(e instanceof UpconvError) && process.env.UPCONV_DEBUG) io.stderr(`${err.stack}\n`);
    return 1;
  }
}

const RELAXED_FLAG = '--experimental-wasm-relaxed-simd';

/**
 * Node 20 runs relaxed SIMD only behind a V8 flag: when `--wasm relaxed-simd` asks for it, start
 * this program again once with the flag (the child inherits stdio; its exit status is ours). Later
 * Node versions validate relaxed SIMD without it. Not the default: on the shared generators it is
 * faster for some and slower for others (docs/cli.md).
 */
function respawnWithRelaxedSimd(argv: readonly string[]): boolean {
  const i = argv.findIndex((a) => a === '--wasm' || a.startsWith('--wasm='));
  const wanted = i < 0 ? null : argv[i].includes('=') ? argv[i].slice('--wasm='.length) : argv[i + 1];
  if (wanted !== 'relaxed-simd') return false;
  if (process.env.UPCONV_NO_RESPAWN || process.execArgv.includes(RELAXED_FLAG)) return false;
  if (process.versions.node.split('.')[0] !== '20' || supportedFlavours().includes('wasm-relaxed-simd')) return false;
  const child = spawn(process.execPath, [...process.execArgv, RELAXED_FLAG, process.argv[1], ...argv], {
    stdio: 'inherit',
    env: { ...process.env, UPCONV_NO_RESPAWN: '1' },
  });
  // Ctrl-C reaches the child too (same process group); this process waits for it
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => child.kill(sig));
  child.on('error', (e) => {
    process.stderr.write(`upconv: could not start node ${RELAXED_FLAG} (${e.message}); set UPCONV_NO_RESPAWN=1 to run without it\n`);
    process.exitCode = 1;
  });
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? 128 + (signal ? constants.signals[signal] : 0);
  });
  return true;
}

function isMain(): boolean {
  try {
    return !!process.argv[1] && realpathSync(resolve(process.argv[1])) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain() && !respawnWithRelaxedSimd(process.argv.slice(2))) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
