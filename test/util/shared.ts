import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, it } from 'vitest';

/**
 * Test data and peers that live outside the repository, and the one way a suite says it needs
 * them. A suite that needs something missing is skipped, and its title carries the tag
 * `[skipped: needs <what>]`, which scripts/test.mjs collects into its closing "skipped" line.
 */

/** The project root (this file is test/util/shared.ts). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** ../shared/ beside the project root: read-only fixtures (conformance cases, trained models). */
export const SHARED = process.env.UPCONV_SHARED ?? join(ROOT, '..', 'shared');
/** The real trained generators in ../shared/models/, read in place (never copied here). */
export const MODELS = join(SHARED, 'models');
/** Whether ../shared is there (both folders the tests read). */
export const hasShared = existsSync(join(SHARED, 'conformance')) && existsSync(MODELS);

/** bench/'s own dependencies (`npm ci --prefix bench`): TensorFlow.js and onnxruntime-web. */
const benchRequire = createRequire(join(ROOT, 'bench', 'package.json'));
function resolveBench(name: string): string | null {
  try {
    return benchRequire.resolve(name);
  } catch {
    return null;
  }
}
const TFJS = resolveBench('@tensorflow/tfjs');
/** Whether @tensorflow/tfjs is installed in bench/node_modules. */
export const hasTfjs = TFJS !== null;
/** @tensorflow/tfjs from bench/node_modules (check `hasTfjs` first). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function importTfjs(): Promise<any> {
  if (!TFJS) throw new Error("@tensorflow/tfjs is not installed: npm ci --prefix bench");
  return import(pathToFileURL(TFJS).href);
}

type Body = () => void | Promise<void>;
type RowBody<T> = (row: T) => void | Promise<void>;
/** vitest's describe / it, as far as the gate uses them. */
interface Base {
  (name: string, fn: Body, timeout?: number): void;
  each<T>(table: readonly T[]): (name: string, fn: RowBody<T>, timeout?: number) => void;
  skip: Base;
}
export interface Gated {
  (name: string, fn: Body, timeout?: number): void;
  /** As vitest's `.each`: one block (or test) per row of the table. */
  each<T>(table: readonly T[]): (name: string, fn: RowBody<T>, timeout?: number) => void;
}

/** The tag a skipped title carries; scripts/test.mjs matches it. */
export const skipTag = (what: string) => `[skipped: needs ${what}]`;

function gate(vitestFn: unknown, available: boolean, what: string): Gated {
  const base = vitestFn as Base;
  const tag = skipTag(what);
  const g = ((name: string, fn: Body, timeout?: number) =>
    available ? base(name, fn, timeout) : base.skip(`${name} ${tag}`, fn, timeout)) as Gated;
  g.each = <T>(table: readonly T[]) => (name: string, fn: RowBody<T>, timeout?: number) =>
    available ? base.each(table)(name, fn, timeout) : base.skip.each(table)(`${name} ${tag}`, fn, timeout);
  return g;
}

/** `describe` / `it` that run only when `available`, else are skipped with the reason `what`. */
export function needs(available: boolean, what: string): { describe: Gated; it: Gated } {
  return { describe: gate(describe, available, what), it: gate(it, available, what) };
}

const sharedGate = needs(hasShared, '../shared');
/** A describe block that reads ../shared (skipped, with the reason, when it is missing). */
export const describeShared = sharedGate.describe;
/** A test that reads ../shared (skipped, with the reason, when it is missing). */
export const itShared = sharedGate.it;

const tfjsGate = needs(hasTfjs, "bench/'s dependencies (@tensorflow/tfjs: npm ci --prefix bench)");
/** A test that cross-checks with TensorFlow.js from bench/node_modules. */
export const itTfjs = tfjsGate.it;
