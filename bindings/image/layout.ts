import { ShapeError } from '../errors.js';
import { Tensor } from '../tensor.js';

/** A batch of images: `n` samples of h×w pixels with `c` channels, NHWC floats. */
export interface ImageBatch {
  n: number;
  h: number;
  w: number;
  c: 1 | 2 | 3 | 4;
  data: Float32Array;
}

/**
 * How one sample of a generator's output is drawn: (H, W, C) with C = 1 gray, 2 gray+alpha, 3 RGB,
 * 4 RGBA; (H, W) gray; or a flat vector of a square gray or RGB image.
 */
export function sampleLayout(sampleShape: readonly number[]): { h: number; w: number; c: 1 | 2 | 3 | 4 } | null {
  const s = sampleShape;
  if (s.length === 3 && s[2] >= 1 && s[2] <= 4) return { h: s[0], w: s[1], c: s[2] as 1 | 2 | 3 | 4 };
  if (s.length === 2) return { h: s[0], w: s[1], c: 1 };
  if (s.length === 1) {
    for (const c of [1, 3] as const) {
      const side = Math.round(Math.sqrt(s[0] / c));
      if (side * side * c === s[0]) return { h: side, w: side, c };
    }
  }
  return null;
}

/** `t` (a batch, as predict returns it) read as images; ShapeError naming `where` otherwise. */
export function imageBatch(t: Tensor, where: string): ImageBatch {
  if (!(t instanceof Tensor)) throw new ShapeError(`${where}: expected a Tensor (a batch of images, e.g. what predict returns), got ${t === null ? 'null' : typeof t}`);
  const [n, ...sample] = t.shape;
  const layout = t.rank >= 2 ? sampleLayout(sample) : null;
  if (!layout || n < 1 || layout.h < 1 || layout.w < 1) {
    throw new ShapeError(`${where}: cannot draw a tensor of shape [${t.shape.join(', ')}]: expected a batch [N, H, W, C] with C 1-4, [N, H, W], or [N, H·W·C] of square images (one image is [1, H, W, C])`);
  }
  return { n, ...layout, data: t.data };
}
