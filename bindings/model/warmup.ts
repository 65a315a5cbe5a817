/**
 * Planning ahead of the first predict: a loaded model is planned and its weights packed at the
 * end of `loadModel`, for the batch its input declares or 1, so that the first `predict` of that
 * batch only runs the steps (another batch plans again, as always). The kernels' own warm-up is
 * backend/warmup.ts.
 *
 * Nothing observable changes: planning reads the weights and writes only the model's backend
 * memory (no weight, random draw, name counter or training state is touched), and a model that
 * cannot be planned here (over its memory limit, a layer the backend refuses) is left unplanned,
 * to say why at its first predict exactly as before.
 */
import { currentBackend } from '../backend/select.js';
import type { Model } from './model.js';

/** Above this many bytes of weights a model is not planned at load (a file may be loaded only to be converted). */
export const PLAN_AT_LOAD_MAX_WEIGHT_BYTES = 256 * 2 ** 20;

/** The batch a model is planned for at load, or null when it is not (unknown sample dims, several batch sizes, too large). */
export function loadPlanBatch(model: Model): number | null {
  if (!model.built) return null;
  const inputs = model.graph.inputs;
  let declared: number | null = null;
  for (const t of inputs) {
    if (t.sample.some((d) => d === null)) return null; // the first predict's shape is not known yet
    const b = t.shape[0];
    if (b !== null && declared !== null && b !== declared) return null;
    if (b !== null) declared = b;
  }
  if (4 * model.countParams() > PLAN_AT_LOAD_MAX_WEIGHT_BYTES) return null;
  return declared ?? 1;
}

/** Plans `model` for its first predict when `loadPlanBatch` says so; returns whether it did. Never throws. */
export function planAtLoad(model: Model): boolean {
  let batch: number | null;
  try {
    batch = loadPlanBatch(model);
    if (batch === null) return false;
    model.planFor(batch);
    return true;
  } catch {
    model.dispose(); // as if never planned: the first predict plans and reports the problem
    return false;
  }
}

/**
 * Compiles the backend now if it can be loaded synchronously (its kernel warm-up then starts the
 * optimising compiler while a file is still being parsed). Never throws: a backend that cannot
 * load says so at the first predict.
 */
export function startBackend(): void {
  try {
    currentBackend();
  } catch {
    // e.g. a browser entry before init(): the first predict says what to do
  }
}
