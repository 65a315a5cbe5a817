/**
 * The CLI's side of drawing a generator's outputs: the value range, read from the model's last
 * activation (`--range auto`), and the grid's size (checked before anything is predicted). The
 * drawing itself is the package's imageGrid / toPNG.
 */
import type { Layer } from '../layers/layer.js';
import { UsageError } from './options.js';

export type Range = { lo: number; hi: number; label: string } | { minmax: true; label: string };

/** Layers that keep the value range of their input. */
const PASS_THROUGH = new Set(['Reshape', 'Flatten', 'Dropout', 'UpSampling2D', 'InputLayer']);

const ACTIVATION_RANGES: ReadonlyMap<string, [number, number]> = new Map([
  ['tanh', [-1, 1]],
  ['sigmoid', [0, 1]],
  ['hard_sigmoid', [0, 1]],
  ['hard_sigmoid_keras2', [0, 1]],
  ['softmax', [0, 1]],
  ['relu6', [0, 6]],
  ['softsign', [-1, 1]],
]);

/** The range the model's last activation maps into, or min/max of the data when it has none. */
export function detectRange(layers: readonly Layer[]): Range {
  for (let i = layers.length - 1; i >= 0; i--) {
    const l = layers[i];
    if (PASS_THROUGH.has(l.className)) continue;
    const act = l.getConfig().activation;
    const known = typeof act === 'string' ? ACTIVATION_RANGES.get(act) : undefined;
    if (known) {
      const [lo, hi] = known;
      return { lo, hi, label: `${act} [${lo}, ${hi}]` };
    }
    return { minmax: true, label: `min/max of the samples (last layer ${l.name} has ${typeof act === 'string' ? `activation '${act}'` : 'no bounded activation'})` };
  }
  return { minmax: true, label: 'min/max of the samples' };
}

/** Parses --range: 'auto', 'tanh', 'sigmoid', 'minmax' or 'LO,HI'. */
export function parseRange(text: string, layers: readonly Layer[]): Range {
  if (text === 'auto') return detectRange(layers);
  if (text === 'minmax') return { minmax: true, label: 'min/max of the samples' };
  const named = ACTIVATION_RANGES.get(text);
  if (named) {
    const [lo, hi] = named;
    return { lo, hi, label: `${text} [${lo}, ${hi}]` };
  }
  const m = /^\s*(-?[\d.eE+-]+)\s*,\s*(-?[\d.eE+-]+)\s*$/.exec(text);
  if (m && Number.isFinite(Number(m[1])) && Number.isFinite(Number(m[2])) && Number(m[1]) < Number(m[2])) {
    return { lo: Number(m[1]), hi: Number(m[2]), label: `[${Number(m[1])}, ${Number(m[2])}]` };
  }
  throw new UsageError(`--range must be auto, tanh, sigmoid, minmax or LO,HI (with LO < HI), got '${text}'`);
}

export interface GridOptions {
  cols: number;
  scale: number;
  padding: number;
}

/** Grid size in pixels for `count` tiles of h×w (as imageGrid lays them out). */
export function gridSize(count: number, h: number, w: number, o: GridOptions): { width: number; height: number } {
  const cols = Math.min(o.cols, count);
  const rows = Math.ceil(count / cols);
  return {
    width: cols * w * o.scale + (cols + 1) * o.padding,
    height: rows * h * o.scale + (rows + 1) * o.padding,
  };
}
