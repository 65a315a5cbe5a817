import { expect, it } from 'vitest';
import { getBackend, init, type Sequential, setBackend, type Tensor } from '../../bindings/index.js';
import { mismatch } from './close.js';
import type { Result } from './naive.js';

/**
 * The backends the tests run on, and how to switch to one. Shared by the layer, model, error and
 * conformance tests.
 */

/** Every WebAssembly build (relaxed SIMD runs under the test config's flag) and the js reference. */
export const BACKENDS = ['wasm-relaxed-simd', 'wasm-simd', 'wasm-scalar', 'js'] as const;
export type BackendName = (typeof BACKENDS)[number];

/** The two kinds setBackend() takes, for tests that leave the WebAssembly build to init(). */
export const BACKEND_KINDS = ['wasm', 'js'] as const;
export type BackendKind = (typeof BACKEND_KINDS)[number];

/** Switches to `backend`, loading its WebAssembly build first if it is one. */
export async function use(backend: BackendName): Promise<void> {
  if (backend === 'js') {
    setBackend('js');
    return;
  }
  await init(undefined, { flavour: backend.slice('wasm-'.length) as 'relaxed-simd' | 'simd' | 'scalar' });
  setBackend('wasm');
}

/** Predicts `x` with `model` on `backend`. */
export async function predictOn(backend: BackendName, model: Sequential, x: Tensor): Promise<Tensor> {
  await use(backend);
  return model.predict(x);
}

/** Switches to `backend` and checks that getBackend() then reports it. */
export async function expectRunsOn(backend: BackendName): Promise<void> {
  await use(backend);
  expect(getBackend()).toBe(backend);
}

/** The test 'runs on the requested backend', for a describe block that runs on `backend`. */
export function itRunsOnRequestedBackend(backend: BackendName): void {
  it('runs on the requested backend', async () => {
    await expectRunsOn(backend);
  });
}

/** A model, its input and what the naive oracle says it should predict. */
export interface OracleCheck {
  model: Sequential;
  x: Tensor;
  want: Result;
}

/**
 * One test per case of `table`, named after the case: the model `build` makes predicts, on
 * `backend`, the oracle's shape and values within `tol`.
 */
export function itMatchesOracle<C extends { name: string }>(
  backend: BackendName, table: readonly C[], build: (c: C) => OracleCheck, tol: number,
): void {
  it.each(table.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const { model, x, want } = build(c);
    const got = await predictOn(backend, model, x);
    expect(got.shape).toEqual(want.shape);
    expect(mismatch(got.data, want.data, tol)).toBeNull();
  });
}
