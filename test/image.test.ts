import { describe, expect, it } from 'vitest';
import {
  ConfigError, imageGrid, latentWalk, mulberry32, sampleLatents, setSeed, ShapeError, type Tensor, tensor, toImageData, toPNG,
} from '../bindings/index.js';
import { random } from '../bindings/random.js';
import { decodePNG } from './util/png.js';

/** A batch [n, h, w, c] whose value at (n, y, x, k) is n·1000 + y·100 + x·10 + k. */
function indexed(n: number, h: number, w: number, c: number): Tensor {
  const data = new Float32Array(n * h * w * c);
  let i = 0;
  for (let a = 0; a < n; a++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) data[i++] = a * 1000 + y * 100 + x * 10 + k;
  return tensor(data, [n, h, w, c]);
}

/** The byte toPNG should write for v under [lo, hi]: round(clip((v - lo) / (hi - lo)) · 255). */
const byte = (v: number, lo: number, hi: number) => Math.round(Math.min(1, Math.max(0, (v - lo) / (hi - lo))) * 255);

describe('mulberry32 and sampleLatents', () => {
  it('mulberry32 is the reference algorithm (first outputs for seed 1 computed by hand from its definition)', () => {
    const next = mulberry32(1);
    // a = 1 + 0x6d2b79f5; t = imul(a ^ a >>> 15, a | 1); t ^= t + imul(t ^ t >>> 7, t | 61); (t ^ t >>> 14) >>> 0
    let a = 1;
    const ref = () => {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), a | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
    };
    for (let i = 0; i < 1000; i++) expect(next()).toBe(ref());
  });

  it('setSeed drives the initial-weights stream with the same generator (mixed seed)', () => {
    setSeed(42);
    const a = [random(), random()];
    const b = mulberry32(42 ^ 0x9e3779b9);
    expect(a).toEqual([b(), b()]);
  });

  it('the same seed gives the same latents; another seed, others; shape [n, ...dim]', () => {
    const a = sampleLatents(3, 5, { seed: 9 });
    expect(a.shape).toEqual([3, 5]);
    expect(Array.from(sampleLatents(3, 5, { seed: 9 }).data)).toEqual(Array.from(a.data));
    expect(Array.from(sampleLatents(3, 5, { seed: 10 }).data)).not.toEqual(Array.from(a.data));
    expect(sampleLatents(2, [1, 1, 4], { seed: 1 }).shape).toEqual([2, 1, 1, 4]);
  });

  it("'normal' is Box–Muller on two uniforms per value; 'uniform' is 2u - 1", () => {
    const next = mulberry32(77);
    const want = Array.from({ length: 6 }, () => {
      const u1 = next();
      const u2 = next();
      return Math.fround(Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
    });
    expect(Array.from(sampleLatents(2, 3, { seed: 77 }).data)).toEqual(want);
    const u = mulberry32(77);
    expect(Array.from(sampleLatents(1, 4, { seed: 77, distribution: 'uniform' }).data)).toEqual(Array.from({ length: 4 }, () => Math.fround(u() * 2 - 1)));
  });

  it('draws look like their distributions (10^5 values: mean, variance, range)', () => {
    const z = sampleLatents(1000, 100, { seed: 3 }).data;
    const mean = z.reduce((s, v) => s + v, 0) / z.length;
    const variance = z.reduce((s, v) => s + (v - mean) ** 2, 0) / z.length;
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(variance - 1)).toBeLessThan(0.02);
    const u = sampleLatents(1000, 100, { seed: 3, distribution: 'uniform' }).data;
    expect(Math.min(...u)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...u)).toBeLessThan(1);
  });

  it('refuses bad arguments with a ConfigError naming them', () => {
    expect(() => sampleLatents(0, 4)).toThrow(/n must be a positive integer/);
    expect(() => sampleLatents(2, 0)).toThrow(ConfigError);
    expect(() => sampleLatents(2, 4, { seed: 1.5 })).toThrow(/seed must be an integer/);
    expect(() => sampleLatents(2, 4, { distribution: 'cauchy' as never })).toThrow(/'normal' or 'uniform'/);
    expect(() => sampleLatents(2, 4, { sed: 1 } as never)).toThrow(/unknown option 'sed'/);
  });
});

describe('imageGrid', () => {
  it('places sample n at column n % columns, row n / columns, with padding filled by background', () => {
    const x = indexed(5, 2, 3, 1);
    const g = imageGrid(x, { columns: 2, padding: 1, background: -7 });
    // 2 columns × 3 rows of 3×2 tiles with 1 px around and between: 2·3 + 3 = 9 wide, 3·2 + 4 = 10 high
    expect(g.shape).toEqual([1, 10, 9, 1]);
    const at = (y: number, xx: number) => g.data[y * 9 + xx];
    for (let n = 0; n < 5; n++) {
      const y0 = 1 + Math.floor(n / 2) * 3;
      const x0 = 1 + (n % 2) * 4;
      for (let y = 0; y < 2; y++) for (let xx = 0; xx < 3; xx++) expect(at(y0 + y, x0 + xx)).toBe(n * 1000 + y * 100 + xx * 10);
    }
    expect(at(0, 0)).toBe(-7);
    expect(at(7, 5)).toBe(-7); // where a sixth tile would be
  });

  it('scale repeats each pixel scale×scale times; channels stay together', () => {
    const g = imageGrid(indexed(1, 2, 2, 3), { padding: 0, scale: 2 });
    expect(g.shape).toEqual([1, 4, 4, 3]);
    const px = (y: number, x: number) => Array.from(g.data.subarray((y * 4 + x) * 3, (y * 4 + x) * 3 + 3));
    expect(px(0, 0)).toEqual([0, 1, 2]);
    expect(px(1, 1)).toEqual([0, 1, 2]);
    expect(px(3, 2)).toEqual([110, 111, 112]);
  });

  it('default columns ceil(sqrt(N)), default padding 2, background mid-range', () => {
    const g = imageGrid(tensor(Float32Array.from({ length: 10 * 4 }, (_, i) => (i % 2 ? 1 : -1)), [10, 2, 2]));
    expect(g.shape).toEqual([1, 3 * 2 + 4 * 2, 4 * 2 + 5 * 2, 1]);
    expect(g.data[0]).toBe(0);
  });

  it('refuses a tensor that is no batch of images, and unknown options', () => {
    expect(() => imageGrid(tensor([1, 2, 3]))).toThrow(ShapeError);
    expect(() => imageGrid(indexed(1, 2, 2, 5))).toThrow(/cannot draw a tensor of shape \[1, 2, 2, 5\]/);
    expect(() => imageGrid(indexed(2, 2, 2, 1), { cols: 2 } as never)).toThrow(/unknown option 'cols'/);
    expect(() => imageGrid(indexed(2, 2, 2, 3), { background: [0, 0] })).toThrow(/3 of them/);
  });
});

describe('toPNG (decoded by pngjs)', () => {
  it('one image: gray, RGB and RGBA, values mapped from the range and clipped', () => {
    for (const c of [1, 3, 4]) {
      const x = indexed(1, 3, 4, c);
      const png = decodePNG(toPNG(x, { range: [0, 200] }));
      expect([png.width, png.height, png.channels]).toEqual([4, 3, c]);
      expect(Array.from(png.pixels)).toEqual(Array.from(x.data, (v) => byte(v, 0, 200)));
    }
  });

  it("named ranges: 'tanh' [-1, 1], 'sigmoid' [0, 1]; 'minmax' (default) stretches to 0..255; NaN is black", () => {
    const x = tensor([-1, -0.5, 0, 0.5, 1, 2, NaN, -3], [1, 2, 4, 1]);
    expect(Array.from(decodePNG(toPNG(x, { range: 'tanh' })).pixels)).toEqual([0, 64, 128, 191, 255, 255, 0, 0]);
    expect(Array.from(decodePNG(toPNG(x, { range: 'sigmoid' })).pixels)).toEqual([0, 0, 0, 128, 255, 255, 0, 0]);
    expect(Array.from(decodePNG(toPNG(x)).pixels)).toEqual([-1, -0.5, 0, 0.5, 1, 2, NaN, -3].map((v) => (Number.isNaN(v) ? 0 : byte(v, -3, 2))));
  });

  it('a batch becomes the grid imageGrid lays out', () => {
    const x = indexed(4, 2, 2, 1);
    const direct = decodePNG(toPNG(x, { range: [0, 4000], columns: 4, padding: 1, background: 0 }));
    const grid = imageGrid(x, { columns: 4, padding: 1, background: 0 });
    expect([direct.width, direct.height]).toEqual([grid.shape[2], grid.shape[1]]);
    expect(Array.from(direct.pixels)).toEqual(Array.from(grid.data, (v) => byte(v, 0, 4000)));
    expect(Array.from(decodePNG(toPNG(grid, { range: [0, 4000] })).pixels)).toEqual(Array.from(direct.pixels));
  });

  it('a constant image is not a division by zero (minmax of one value)', () => {
    expect(Array.from(decodePNG(toPNG(tensor(new Float32Array(4).fill(3), [1, 2, 2]))).pixels)).toEqual([0, 0, 0, 0]);
  });

  it('larger images compress (the filters and deflate work together), and still decode exactly', () => {
    const x = sampleLatents(1, [64, 64, 3], { seed: 1, distribution: 'uniform' });
    const smooth = tensor(Float32Array.from(x.data, (_, i) => Math.sin(i / 300)), x.shape);
    const bytes = toPNG(smooth, { range: 'tanh' });
    expect(bytes.length).toBeLessThan(64 * 64 * 3 / 2);
    expect(Array.from(decodePNG(bytes).pixels)).toEqual(Array.from(smooth.data, (v) => byte(v, -1, 1)));
  });

  it('refuses a bad range with a ConfigError', () => {
    expect(() => toPNG(indexed(1, 1, 1, 1), { range: [1, 1] })).toThrow(/range must be/);
    expect(() => toPNG(indexed(1, 1, 1, 1), { range: 'auto' as never })).toThrow(ConfigError);
    expect(() => toPNG(indexed(1, 1, 1, 1), { scale: 0 })).toThrow(/scale must be an integer ≥ 1/);
  });
});

describe('toImageData', () => {
  it('RGBA bytes: gray copied to R, G and B, alpha 255 unless the image has one', () => {
    const gray = toImageData(tensor([0, 1, 0.5, 0.25], [1, 2, 2, 1]), { range: 'sigmoid' });
    expect([gray.width, gray.height]).toEqual([2, 2]);
    expect(gray.data).toBeInstanceOf(Uint8ClampedArray);
    expect(Array.from(gray.data)).toEqual([0, 0, 0, 255, 255, 255, 255, 255, 128, 128, 128, 255, 64, 64, 64, 255]);
    const rgba = toImageData(tensor([0, 0.5, 1, 0.25], [1, 1, 1, 4]), { range: 'sigmoid' });
    expect(Array.from(rgba.data)).toEqual([0, 128, 255, 64]);
  });

  it('is a real ImageData where the class exists', () => {
    class FakeImageData {
      constructor(readonly data: Uint8ClampedArray, readonly width: number, readonly height: number) {}
    }
    const g = globalThis as { ImageData?: unknown };
    const before = g.ImageData;
    g.ImageData = FakeImageData;
    try {
      const img = toImageData(tensor([0, 1], [1, 1, 2]));
      expect(img).toBeInstanceOf(FakeImageData);
      expect([img.width, img.height]).toEqual([2, 1]);
    } finally {
      g.ImageData = before;
    }
  });
});

describe('latentWalk', () => {
  it('rows run from sampleLatents row r to row r + 1, ends included; the middle frame is what float64 slerp gives', () => {
    const ends = sampleLatents(3, 16, { seed: 9 });
    const z = latentWalk(5, 16, { seed: 9, walks: 2 });
    expect(z.shape).toEqual([10, 16]);
    const row = (t: { data: Float32Array }, i: number) => Array.from(t.data.subarray(i * 16, (i + 1) * 16));
    const close = (a: number[], b: number[]) => a.every((v, i) => Math.abs(v - b[i]) < 1e-6);
    expect(close(row(z, 0), row(ends, 0))).toBe(true);
    expect(close(row(z, 4), row(ends, 1))).toBe(true);
    expect(close(row(z, 5), row(ends, 1))).toBe(true);
    expect(close(row(z, 9), row(ends, 2))).toBe(true);
    // an independent slerp in float64 for the middle frame
    const a = row(ends, 0);
    const b = row(ends, 1);
    const dot = a.reduce((s, v, i) => s + v * b[i], 0);
    const om = Math.acos(dot / Math.hypot(...a) / Math.hypot(...b));
    const mid = a.map((v, i) => (Math.sin(om / 2) * v + Math.sin(om / 2) * b[i]) / Math.sin(om));
    expect(close(row(z, 2), mid)).toBe(true);
  });

  it('takes a shape; bad steps, walks or options are ConfigErrors', () => {
    expect(() => latentWalk(1, 4)).toThrow(ConfigError);
    expect(() => latentWalk(3, 4, { walks: 0 })).toThrow(ConfigError);
    expect(() => latentWalk(3, 4, { seed: 1, bogus: 1 } as never)).toThrow(/unknown option 'bogus'/);
    const z = latentWalk(3, [2, 2], { seed: 3 });
    expect(z.shape).toEqual([3, 2, 2]);
    expect(Array.from(z.data).every(Number.isFinite)).toBe(true);
  });
});
