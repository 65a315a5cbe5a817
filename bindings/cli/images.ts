/**
 * From a generator's outputs to one picture: latent sampling, the output value range, and the
 * grid of tiles.
 */
import type { Layer } from '../layers/layer.js';

/**
 * mulberry32: the generator the shared reference outputs were made with, so
 * `--seed 1234 --count 4` feeds exactly the latents of reference_outputs.json.
 */
export function mulberry32(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type LatentKind = 'normal' | 'uniform';

/** `count` latents: standard normal (Box–Muller, cos branch) or uniform in [-1, 1), float32. */
export function sampleLatents(count: number, size: number, kind: LatentKind, seed: number): Float32Array {
  const next = mulberry32(seed);
  const out = new Float32Array(count * size);
  for (let i = 0; i < out.length; i++) {
    if (kind === 'uniform') {
      out[i] = next() * 2 - 1;
    } else {
      const u1 = next() || 2 ** -32;
      const u2 = next();
      out[i] = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
  }
  return out;
}

export type Range = { lo: number; hi: number; label: string } | { minmax: true; label: string };

/** Layers that keep the value range of their input. */
const PASS_THROUGH = new Set(['Reshape', 'Flatten', 'Dropout', 'UpSampling2D', 'InputLayer']);

const ACTIVATION_RANGES: Record<string, [number, number]> = {
  tanh: [-1, 1],
  sigmoid: [0, 1],
  hard_sigmoid: [0, 1],
  hard_sigmoid_keras2: [0, 1],
  softmax: [0, 1],
  relu6: [0, 6],
  softsign: [-1, 1],
};

/** The range the model's last activation maps into, or min/max of the data when it has none. */
export function detectRange(layers: readonly Layer[]): Range {
  for (let i = layers.length - 1; i >= 0; i--) {
    const l = layers[i];
    if (PASS_THROUGH.has(l.className)) continue;
    const act = l.getConfig().activation;
    if (typeof act === 'string' && ACTIVATION_RANGES[act]) {
      const [lo, hi] = ACTIVATION_RANGES[act];
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
  if (text in ACTIVATION_RANGES) {
    const [lo, hi] = ACTIVATION_RANGES[text];
    return { lo, hi, label: `${text} [${lo}, ${hi}]` };
  }
  const m = /^\s*(-?[\d.eE+-]+)\s*,\s*(-?[\d.eE+-]+)\s*$/.exec(text);
  if (m && Number.isFinite(Number(m[1])) && Number.isFinite(Number(m[2])) && Number(m[1]) < Number(m[2])) {
    return { lo: Number(m[1]), hi: Number(m[2]), label: `[${Number(m[1])}, ${Number(m[2])}]` };
  }
  throw new Error(`--range must be auto, tanh, sigmoid, minmax or LO,HI (with LO < HI), got '${text}'`);
}

/** How one sample becomes an image: height, width and channels (1 gray, 3 RGB, 4 RGBA). */
export function imageLayout(sampleShape: readonly number[]): { h: number; w: number; c: 1 | 3 | 4 } {
  const s = sampleShape;
  if (s.length === 3 && [1, 3, 4].includes(s[2])) return { h: s[0], w: s[1], c: s[2] as 1 | 3 | 4 };
  if (s.length === 2) return { h: s[0], w: s[1], c: 1 };
  if (s.length === 1) {
    for (const c of [1, 3] as const) {
      const side = Math.round(Math.sqrt(s[0] / c));
      if (side * side * c === s[0]) return { h: side, w: side, c };
    }
  }
  throw new Error(`cannot draw samples of shape (${s.join(', ')}): expected (H, W, 1|3|4), (H, W) or a flat square`);
}

export interface GridOptions {
  cols: number;
  scale: number;
  padding: number;
  /** Gray level 0–255 of the padding. */
  background: number;
}

/** Grid size in pixels for `count` tiles of h×w. */
export function gridSize(count: number, h: number, w: number, o: GridOptions): { width: number; height: number; rows: number } {
  const rows = Math.ceil(count / o.cols);
  return {
    width: o.cols * w * o.scale + (o.cols + 1) * o.padding,
    height: rows * h * o.scale + (rows + 1) * o.padding,
    rows,
  };
}

/**
 * Lays out `count` samples (NHWC floats) as a grid of tiles, mapping [lo, hi] to 0–255 (values
 * outside are clipped), each tile scaled up `scale` times (nearest).
 */
export function drawGrid(data: Float32Array, count: number, h: number, w: number, c: 1 | 3 | 4, range: { lo: number; hi: number }, o: GridOptions): { pixels: Uint8Array; width: number; height: number } {
  const { width, height } = gridSize(count, h, w, o);
  const pixels = new Uint8Array(width * height * c);
  const bg = Math.max(0, Math.min(255, Math.round(o.background)));
  for (let i = 0; i < pixels.length; i++) pixels[i] = c === 4 && i % 4 === 3 ? 255 : bg;
  const span = range.hi - range.lo || 1;
  const sample = h * w * c;
  for (let n = 0; n < count; n++) {
    const x0 = o.padding + (n % o.cols) * (w * o.scale + o.padding);
    const y0 = o.padding + Math.floor(n / o.cols) * (h * o.scale + o.padding);
    for (let y = 0; y < h * o.scale; y++) {
      const sy = Math.floor(y / o.scale);
      for (let x = 0; x < w * o.scale; x++) {
        const sx = Math.floor(x / o.scale);
        const src = n * sample + (sy * w + sx) * c;
        const dst = ((y0 + y) * width + x0 + x) * c;
        for (let k = 0; k < c; k++) {
          const v = (data[src + k] - range.lo) / span;
          pixels[dst + k] = Math.round(Math.max(0, Math.min(1, v)) * 255);
        }
      }
    }
  }
  return { pixels, width, height };
}
