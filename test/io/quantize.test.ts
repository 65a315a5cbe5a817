/**
 * saveModel(model, { dtype }): quantized tf.js weights exactly as tensorflowjs_converter writes
 * them. The oracle is fixtures/quantization.json (fixtures/make_quantization.py: the converter's
 * quantizers run with numpy 1.x).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importTfjs, itTfjs } from '../util/shared.js';
import { ConfigError, loadModel, saveModel, WeightsError } from '../../bindings/io/index.js';
import { floatToHalf, quantizeAffine } from '../../bindings/io/quantize.js';
import { halfToFloat } from '../../bindings/io/half.js';
import { fixture, TINY_INPUT, tinyModel, tinyWeights } from './tiny.js';

interface Oracle {
  numpy: string;
  float16: { input: string; output: string };
  affine: { name: string; input: string; uint8: Quantized; uint16: Quantized }[];
}
interface Quantized {
  values: string;
  scale: number;
  min: number;
}

const oracle: Oracle = JSON.parse(readFileSync(fixture('quantization.json'), 'utf8'));
const bytes = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'));
const f32 = (b64: string) => new Float32Array(bytes(b64).slice().buffer);
const u16 = (b64: string) => new Uint16Array(bytes(b64).slice().buffer);

function reference() {
  const m = tinyModel();
  m.setWeights(tinyWeights());
  return m;
}

describe(`quantizers against the converter's (numpy ${oracle.numpy})`, () => {
  it('float16: every bit of numpy\'s astype(float16), ties to even, subnormals, overflow', () => {
    const x = f32(oracle.float16.input);
    const want = u16(oracle.float16.output);
    const wrong: string[] = [];
    x.forEach((v, i) => {
      if (floatToHalf(v) !== want[i]) wrong.push(`${v} → 0x${floatToHalf(v).toString(16)}, numpy 0x${want[i].toString(16)}`);
    });
    expect(wrong.slice(0, 10)).toEqual([]);
    expect(x.length).toBeGreaterThan(3000);
  });

  it.each(oracle.affine.map((a) => [a.name, a] as const))('uint8 and uint16 affine: %s', (_name, a) => {
    const x = f32(a.input);
    for (const dtype of ['uint8', 'uint16'] as const) {
      const got = quantizeAffine(x, dtype);
      const want = a[dtype];
      expect(got.scale, `${dtype} scale`).toBe(want.scale);
      expect(got.min === want.min || (got.min === 0 && want.min === 0), `${dtype} min ${got.min} vs ${want.min}`).toBe(true);
      const wantValues = dtype === 'uint8' ? bytes(want.values) : u16(want.values);
      expect(Array.from(got.values), `${dtype} values`).toEqual(Array.from(wantValues));
    }
  });
});

describe('saveModel with dtype', () => {
  it('writes the converter\'s manifest entries and bytes', () => {
    const ref = reference();
    const plain = saveModel(ref);
    for (const dtype of ['float16', 'uint8', 'uint16'] as const) {
      const { modelJSON, weightData } = saveModel(ref, { dtype });
      const entries = modelJSON.weightsManifest[0].weights;
      expect(entries.map((e) => e.name)).toEqual(plain.modelJSON.weightsManifest[0].weights.map((e) => e.name));
      const per = dtype === 'uint8' ? 1 : 2;
      expect(weightData.byteLength).toBe(tinyWeights().reduce((n, t) => n + t.size, 0) * per);
      let at = 0;
      entries.forEach((e, k) => {
        expect(e.dtype).toBe('float32');
        const w = tinyWeights()[k].data;
        if (dtype === 'float16') {
          expect(e.quantization).toEqual({ dtype: 'float16', original_dtype: 'float32' });
          const view = new DataView(weightData, at, w.length * 2);
          w.forEach((v, i) => expect(view.getUint16(2 * i, true)).toBe(floatToHalf(v)));
        } else {
          // the oracle's first arrays are these very weights
          const want = oracle.affine[k][dtype];
          expect(Object.keys(e.quantization!)).toEqual(['dtype', 'min', 'scale', 'original_dtype']);
          expect(e.quantization).toMatchObject({ dtype, scale: want.scale, original_dtype: 'float32' });
          expect(e.quantization!.min === want.min || (e.quantization!.min === 0 && want.min === 0)).toBe(true);
          const got = dtype === 'uint8' ? new Uint8Array(weightData, at, w.length) : new Uint16Array(weightData.slice(at, at + 2 * w.length));
          expect(Array.from(got)).toEqual(Array.from(dtype === 'uint8' ? bytes(want.values) : u16(want.values)));
        }
        at += w.length * per;
      });
    }
  });

  it('float16 round trip is bit-exact against float16 rounding', async () => {
    const back = await loadModel(saveModel(reference(), { dtype: 'float16' }));
    back.getWeights().forEach((t, k) => {
      const want = Array.from(tinyWeights()[k].data, (v) => halfToFloat(floatToHalf(v)));
      expect(Array.from(t.data)).toEqual(want);
    });
  });

  it.each(['uint8', 'uint16'] as const)('%s round trip stays within half a quantization step', async (dtype) => {
    const art = saveModel(reference(), { dtype });
    const back = await loadModel(art);
    const levels = dtype === 'uint8' ? 255 : 65535;
    back.getWeights().forEach((t, k) => {
      const w = tinyWeights()[k].data;
      const q = art.modelJSON.weightsManifest[0].weights[k].quantization!;
      const lo = Math.min(...w);
      const hi = Math.max(...w);
      const step = hi > lo ? (hi - lo) / levels : 0;
      expect(q.scale).toBe(hi > lo ? step : 1);
      w.forEach((v, i) => {
        // exact for the dequantized grid point q·scale + min, then rounded to float32
        const err = Math.abs(t.data[i] - v);
        expect(err, `weight ${k}[${i}]`).toBeLessThanOrEqual(step / 2 + 2 ** -23 * Math.max(Math.abs(v), Math.abs(hi), Math.abs(lo)) * 2);
      });
    });
    // the model still computes: outputs close to the float32 model
    const y = back.predict(TINY_INPUT).data;
    const ref = reference().predict(TINY_INPUT).data;
    const tol = dtype === 'uint8' ? 0.05 : 1e-3;
    y.forEach((v, i) => expect(Math.abs(v - ref[i])).toBeLessThan(tol));
  });

  itTfjs('tf.js loads the quantized files and predicts what upconv predicts from them', async () => {
    const tf = await importTfjs();
    for (const dtype of ['float16', 'uint8', 'uint16'] as const) {
      const art = saveModel(reference(), { dtype });
      const model = await tf.loadLayersModel(tf.io.fromMemory({
        modelTopology: art.modelJSON.modelTopology as never,
        weightSpecs: art.modelJSON.weightsManifest[0].weights as never,
        weightData: art.weightData,
      }));
      const theirs = (model.predict(tf.tensor2d([[0.3, -1.2, 0.8], [1.5, 0.1, -0.4]])) as { dataSync(): Float32Array }).dataSync();
      const ours = (await loadModel(art)).predict(TINY_INPUT).data;
      for (let i = 0; i < ours.length; i++) expect(Math.abs(theirs[i] - ours[i]), dtype).toBeLessThan(1e-5);
    }
  });

  it('unknown options and dtypes are ConfigErrors; float16 overflow is refused', () => {
    const ref = reference();
    expect(() => saveModel(ref, { dtype: 'int8' } as never)).toThrow(ConfigError);
    expect(() => saveModel(ref, { dtype: 'constructor' } as never)).toThrow(ConfigError);
    expect(() => saveModel(ref, { quantize: 'uint8' } as never)).toThrow(/unknown option 'quantize'/);
    expect(() => saveModel(ref, { quantize: 'uint8' } as never)).toThrow(ConfigError);
    const big = reference();
    const w = big.getWeights();
    w[0].data[3] = 70000;
    big.setWeights(w);
    expect(() => saveModel(big, { dtype: 'float16' })).toThrow(WeightsError);
    expect(() => saveModel(big, { dtype: 'uint8' })).not.toThrow();
  });
});
