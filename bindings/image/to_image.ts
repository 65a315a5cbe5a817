import { ConfigError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { GRID_KEYS, type ImageGridOptions, tile } from './grid.js';
import { imageBatch } from './layout.js';
import { encodePNG } from './png.js';
import { type ImageRange, resolveRange, toByte } from './range.js';
import { showValue } from '../show.js';

/**
 * How a tensor becomes pixels. A batch of more than one image (or any grid option given) is laid
 * out as a grid first, as `imageGrid` does.
 */
export interface ToImageOptions extends ImageGridOptions {
  /** Which values map to black and white (default 'minmax'). */
  range?: ImageRange;
  /**
   * The grid's padding, in the images' own units (default: gray 128 of the range, opaque in an
   * alpha channel: the padding `upconv generate` draws by default, so both write the same PNG).
   */
  background?: number | readonly number[];
}

/** Gray 128 of 255: the CLI's default `--background`. */
const MID_GRAY = 128;

/** What `toImageData` returns where the `ImageData` class does not exist (Node, workers). */
export interface ImageDataLike {
  readonly width: number;
  readonly height: number;
  /** RGBA, row by row, 4 bytes per pixel. */
  readonly data: Uint8ClampedArray;
  readonly colorSpace: 'srgb';
}

const KEYS: readonly string[] = ['range', ...GRID_KEYS];

/** 8-bit pixels of `t` (one image, or a grid of its batch). */
function pixels(t: Tensor, options: ToImageOptions, where: string): { bytes: Uint8Array; width: number; height: number; channels: 1 | 2 | 3 | 4 } {
  if (options === null || typeof options !== 'object') throw new ConfigError(`${where}: options must be an object, got ${showValue(options)}`);
  const unknown = Object.keys(options).filter((k) => !KEYS.includes(k));
  if (unknown.length) throw new ConfigError(`${where}: unknown option ${unknown.map((k) => `'${k}'`).join(', ')} (known: ${KEYS.join(', ')})`);
  const b = imageBatch(t, where);
  const { lo, hi } = resolveRange(options.range, b.data, where);
  const grid = b.n > 1 || GRID_KEYS.some((k) => (options as Record<string, unknown>)[k] !== undefined);
  const span = hi - lo;
  // the default padding: gray 128 of the range, and opaque in an alpha channel (as the CLI draws it)
  const gray = lo + (MID_GRAY / 255) * span;
  const background = options.background ?? Array.from({ length: b.c }, (_, k) => ((b.c === 2 || b.c === 4) && k === b.c - 1 ? hi : gray));
  const img = grid ? tile(b, { ...options, background }) : { data: b.data, width: b.w, height: b.h };
  const bytes = new Uint8Array(img.data.length);
  for (let i = 0; i < bytes.length; i++) bytes[i] = toByte(img.data[i], lo, span);
  return { bytes, width: img.width, height: img.height, channels: b.c };
}

/**
 * The image (or the grid of a batch) as RGBA pixels: a real `ImageData` where the class exists
 * (browsers, workers with OffscreenCanvas), else an object of the same shape. Gray is copied to
 * R, G and B; alpha is 255 unless the images have one.
 *
 * @example
 * ```js
 * canvas.getContext('2d').putImageData(toImageData(model.predict(z), { range: 'tanh' }), 0, 0);
 * ```
 */
export function toImageData(t: Tensor, options: ToImageOptions = {}): ImageData | ImageDataLike {
  const p = pixels(t, options, 'toImageData');
  const rgba = new Uint8ClampedArray(p.width * p.height * 4);
  const c = p.channels;
  for (let i = 0, j = 0; j < rgba.length; i += c, j += 4) {
    const gray = c <= 2;
    rgba[j] = p.bytes[i];
    rgba[j + 1] = gray ? p.bytes[i] : p.bytes[i + 1];
    rgba[j + 2] = gray ? p.bytes[i] : p.bytes[i + 2];
    rgba[j + 3] = c === 2 ? p.bytes[i + 1] : c === 4 ? p.bytes[i + 3] : 255;
  }
  const ImageDataClass = (globalThis as { ImageData?: typeof ImageData }).ImageData;
  if (typeof ImageDataClass === 'function') return new ImageDataClass(rgba, p.width, p.height);
  return { width: p.width, height: p.height, data: rgba, colorSpace: 'srgb' };
}

/**
 * The bytes of a PNG file of the image (or of the grid of a batch): gray, gray+alpha, RGB or RGBA
 * as the tensor's channels say. Synchronous, in every runtime.
 *
 * @example
 * ```js
 * writeFileSync('grid.png', toPNG(model.predict(sampleLatents(16, 100, { seed: 1 })), { range: 'tanh' }));
 * ```
 */
export function toPNG(t: Tensor, options: ToImageOptions = {}): Uint8Array {
  const p = pixels(t, options, 'toPNG');
  return encodePNG(p.bytes, p.width, p.height, p.channels);
}
