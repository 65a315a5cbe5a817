import { ConfigError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { type ImageBatch, imageBatch } from './layout.js';
import { showValue } from '../show.js';

/** How `imageGrid` lays a batch out. */
export interface ImageGridOptions {
  /** Tiles per row (default: ceil(sqrt(N)); at most N). */
  columns?: number;
  /** Pixels between and around the tiles (default 2). */
  padding?: number;
  /** Each tile drawn `scale`×`scale` times larger, nearest-neighbour (default 1). */
  scale?: number;
  /**
   * The padding's value, in the images' own units: one number, or one per channel (default: the
   * middle of the batch's smallest and largest finite values, drawn mid-gray under 'minmax').
   */
  background?: number | readonly number[];
}

export const GRID_KEYS: readonly string[] = ['columns', 'padding', 'scale', 'background'];
/** Largest grid, in values (a 1 GiB Float32Array). */
const MAX_VALUES = 2 ** 28;

function intOption(v: unknown, what: string, min: number, fallback: number): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || (v as number) < min) throw new ConfigError(`imageGrid: ${what} must be an integer ≥ ${min}, got ${showValue(v)}`);
  return v as number;
}

function midpoint(data: Float32Array): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return Number.isFinite(lo) && Number.isFinite(hi) ? (lo + hi) / 2 : 0;
}

/** Lays out `b` as a grid of tiles; the grid as one h×w×c image. */
export function tile(b: ImageBatch, options: ImageGridOptions): { data: Float32Array; width: number; height: number } {
  const columns = Math.min(intOption(options.columns, 'columns', 1, Math.ceil(Math.sqrt(b.n))), b.n);
  const padding = intOption(options.padding, 'padding', 0, 2);
  const scale = intOption(options.scale, 'scale', 1, 1);
  const rows = Math.ceil(b.n / columns);
  const width = columns * b.w * scale + (columns + 1) * padding;
  const height = rows * b.h * scale + (rows + 1) * padding;
  if (width * height * b.c > MAX_VALUES) throw new ConfigError(`imageGrid: the grid would be ${width}×${height} pixels; draw fewer images or a smaller scale`);
  const bg = options.background ?? midpoint(b.data);
  const fill = typeof bg === 'number' ? Array<number>(b.c).fill(bg) : Array.isArray(bg) && bg.length === b.c ? bg : null;
  if (!fill || !fill.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new ConfigError(`imageGrid: background must be a finite number or ${b.c} of them (one per channel), got ${showValue(bg)}`);
  }
  const out = new Float32Array(width * height * b.c);
  for (let i = 0; i < out.length; i++) out[i] = fill[i % b.c];
  const { h, w, c } = b;
  const sample = h * w * c;
  for (let n = 0; n < b.n; n++) {
    const x0 = padding + (n % columns) * (w * scale + padding);
    const y0 = padding + Math.floor(n / columns) * (h * scale + padding);
    for (let y = 0; y < h * scale; y++) {
      const src = n * sample + Math.floor(y / scale) * w * c;
      const dst = ((y0 + y) * width + x0) * c;
      if (scale === 1) {
        out.set(b.data.subarray(src, src + w * c), dst);
        continue;
      }
      for (let x = 0; x < w * scale; x++) {
        const s = src + Math.floor(x / scale) * c;
        for (let k = 0; k < c; k++) out[dst + x * c + k] = b.data[s + k];
      }
    }
  }
  return { data: out, width, height };
}

/**
 * A batch of images (`[N, H, W, C]`, `[N, H, W]` or flat square samples, as predict returns
 * them) laid out as one image: a `[1, height, width, C]` tensor in the same units, ready for
 * `toPNG` / `toImageData`.
 */
export function imageGrid(images: Tensor, options: ImageGridOptions = {}): Tensor {
  const unknown = Object.keys(options ?? {}).filter((k) => !GRID_KEYS.includes(k));
  if (unknown.length) throw new ConfigError(`imageGrid: unknown option ${unknown.map((k) => `'${k}'`).join(', ')} (known: ${GRID_KEYS.join(', ')})`);
  const b = imageBatch(images, 'imageGrid');
  const g = tile(b, options);
  return new Tensor(g.data, [1, g.height, g.width, b.c]);
}
