/**
 * tf.js weight dtypes follow tfjs-core's decodeWeights (io/io_utils.ts) exactly; names taken
 * from files are never looked up in Object.prototype.
 */
import { describe, expect, it } from 'vitest';
import { importTfjs, itTfjs } from '../util/shared.js';
import { loadModel, ModelFormatError, saveModel, UpconvError } from '../../bindings/io/index.js';
import { halfToFloat } from '../../bindings/io/half.js';
import { tinyModel, tinyWeights } from './tiny.js';

function tiny() {
  const m = tinyModel();
  m.setWeights(tinyWeights());
  return saveModel(m);
}

/**
 * The tiny model's artifacts with its first weight (dense/kernel, 36 values) stored as
 * `entry` describes, its bytes made by `encode`.
 */
function withFirst(entry: Record<string, unknown>, bytesPerValue: number, encode: (view: DataView, i: number) => void) {
  const art = tiny();
  const json = JSON.parse(JSON.stringify(art.modelJSON));
  Object.assign(json.weightsManifest[0].weights[0], entry);
  const first = new Uint8Array(36 * bytesPerValue);
  const view = new DataView(first.buffer);
  for (let i = 0; i < 36; i++) encode(view, i);
  const rest = new Uint8Array(art.weightData, 36 * 4);
  const data = new Uint8Array(first.length + rest.length);
  data.set(first);
  data.set(rest, first.length);
  return { modelJSON: json, weightData: data.buffer };
}

async function outcome(p: Promise<unknown>): Promise<Error | null> {
  return p.then(() => null, (e: Error) => e);
}

describe('dtype and quantization combinations tfjs-core refuses are ModelFormatErrors', () => {
  const u8 = (v: DataView, i: number) => v.setUint8(i, i);
  const u16 = (v: DataView, i: number) => v.setUint16(2 * i, i, true);
  it.each([
    ['float16 without a quantization block', { dtype: 'float16' }, 2, u16],
    ['uint16 without a quantization block', { dtype: 'uint16' }, 2, u16],
    ['uint8 without a quantization block', { dtype: 'uint8' }, 1, u8],
    ['an unknown dtype', { dtype: 'float64' }, 8, u8],
    ['dtype constructor', { dtype: 'constructor' }, 4, u8],
    ['dtype __proto__', { dtype: '__proto__' }, 4, u8],
    ['dtype toString', { dtype: 'toString' }, 4, u8],
    ['dtype hasOwnProperty', { dtype: 'hasOwnProperty' }, 4, u8],
    ['a dtype that is not a string', { dtype: 4 }, 4, u8],
    ['string weights', { dtype: 'string' }, 4, u8],
    ['complex64 weights', { dtype: 'complex64' }, 8, u8],
    ['float16 quantization of an int32 weight', { dtype: 'int32', quantization: { dtype: 'float16' } }, 2, u16],
    ['uint8 quantization of a bool weight', { dtype: 'bool', quantization: { dtype: 'uint8', scale: 1, min: 0 } }, 1, u8],
    ['an unknown quantization dtype', { quantization: { dtype: 'int8', scale: 1, min: 0 } }, 1, u8],
    ['quantization dtype constructor', { quantization: { dtype: 'constructor', scale: 1, min: 0 } }, 1, u8],
    ['uint8 quantization without min', { quantization: { dtype: 'uint8', scale: 0.1 } }, 1, u8],
    ['uint16 quantization without scale', { quantization: { dtype: 'uint16', min: 0 } }, 2, u16],
    ['a scale that is a string', { quantization: { dtype: 'uint8', scale: '0.1', min: 0 } }, 1, u8],
    ['a min of 1e999 (Infinity)', { quantization: { dtype: 'uint8', scale: 0.1, min: Infinity } }, 1, u8],
    ['quantization null', { quantization: null }, 4, u8],
    ['quantization that is a list', { quantization: ['uint8'] }, 1, u8],
  ] as const)('%s', async (_name, entry, per, encode) => {
    const e = await outcome(loadModel(withFirst(entry, per, encode)));
    expect(e).toBeInstanceOf(ModelFormatError);
    expect(e!.message).toMatch(/weight 'dense\/kernel' .*(dtype|quantiz|scale)/);
  });
});

describe('the combinations tfjs-core reads decode as it decodes them', () => {
  it('float32 + uint8 / uint16 affine: q·scale + min', async () => {
    for (const [dtype, per] of [['uint8', 1], ['uint16', 2]] as const) {
      const scale = 0.013;
      const min = -0.2;
      const m = await loadModel(withFirst({ quantization: { dtype, scale, min } }, per, (v, i) => (per === 1 ? v.setUint8(i, 7 * i) : v.setUint16(2 * i, 1000 * i, true))));
      const got = m.getWeights()[0].data;
      got.forEach((x, i) => expect(x).toBe(Math.fround((per === 1 ? 7 * i : 1000 * i) * scale + min)));
    }
  });

  it('float32 + float16', async () => {
    const m = await loadModel(withFirst({ quantization: { dtype: 'float16' } }, 2, (v, i) => v.setUint16(2 * i, 0x3c00 + 37 * i, true)));
    m.getWeights()[0].data.forEach((x, i) => expect(x).toBe(halfToFloat(0x3c00 + 37 * i)));
  });

  it('int32 (plain, and uint8-quantized with rounding) and bool', async () => {
    const plain = await loadModel(withFirst({ dtype: 'int32' }, 4, (v, i) => v.setInt32(4 * i, i - 18, true)));
    plain.getWeights()[0].data.forEach((x, i) => expect(x).toBe(i - 18));
    const q = await loadModel(withFirst({ dtype: 'int32', quantization: { dtype: 'uint8', scale: 0.3, min: -2 } }, 1, (v, i) => v.setUint8(i, i)));
    q.getWeights()[0].data.forEach((x, i) => expect(x).toBe(Math.round(i * 0.3 - 2) + 0)); // an Int32Array in tf.js: no -0
    const b = await loadModel(withFirst({ dtype: 'bool' }, 1, (v, i) => v.setUint8(i, i % 2)));
    b.getWeights()[0].data.forEach((x, i) => expect(x).toBe(i % 2));
  });

  itTfjs('tfjs-core\'s own decodeWeights reads and refuses the same', async () => {
    const tf = await importTfjs();
    const cases: [Record<string, unknown>, number, (v: DataView, i: number) => void][] = [
      [{ quantization: { dtype: 'uint8', scale: 0.013, min: -0.2 } }, 1, (v, i) => v.setUint8(i, 7 * i)],
      [{ quantization: { dtype: 'uint16', scale: 1e-4, min: 0.5 } }, 2, (v, i) => v.setUint16(2 * i, 999 * i, true)],
      [{ quantization: { dtype: 'float16' } }, 2, (v, i) => v.setUint16(2 * i, 0x3000 + 91 * i, true)],
      [{ dtype: 'int32', quantization: { dtype: 'uint8', scale: 0.3, min: -2 } }, 1, (v, i) => v.setUint8(i, i)],
      [{ dtype: 'float16' }, 2, (v, i) => v.setUint16(2 * i, i, true)],
      [{ dtype: 'int32', quantization: { dtype: 'float16' } }, 2, (v, i) => v.setUint16(2 * i, i, true)],
      [{ quantization: { dtype: 'int8', scale: 1, min: 0 } }, 1, (v, i) => v.setUint8(i, i)],
      [{ quantization: { dtype: 'uint8', scale: 1 } }, 1, (v, i) => v.setUint8(i, i)],
    ];
    for (const [entry, per, encode] of cases) {
      const art = withFirst(entry, per, encode);
      const spec = art.modelJSON.weightsManifest[0].weights[0];
      let theirs: Float32Array | Int32Array | null;
      try {
        const t = tf.io.decodeWeights(art.weightData.slice(0, 36 * per), [spec])[spec.name];
        theirs = t.dataSync() as Float32Array;
      } catch {
        theirs = null;
      }
      const ours = await loadModel(art).then((m) => m.getWeights()[0].data, () => null);
      expect(ours === null, `${JSON.stringify(entry)}: tfjs ${theirs ? 'reads' : 'refuses'} it`).toBe(theirs === null);
      if (ours && theirs) expect(Array.from(ours)).toEqual(Array.from(theirs));
    }
  });
});

describe('names from files are never Object.prototype members', () => {
  it('layers and weights named constructor, __proto__, toString load (or fail with a named error)', async () => {
    const m = tinyModel();
    m.setWeights(tinyWeights());
    // the layers with weights (Dense, Conv2DTranspose, BatchNormalization, Conv2D) get the first four
    const names = ['__proto__', 'valueOf', 'constructor', 'toString', 'isPrototypeOf', 'hasOwnProperty'];
    m.layers.forEach((l, i) => { l.name = names[i]; });
    const art = saveModel(m);
    expect(new Set(art.modelJSON.weightsManifest[0].weights.map((w) => w.name.split('/')[0]))).toEqual(new Set(['__proto__', 'constructor', 'toString', 'hasOwnProperty']));
    const back = await outcome(loadModel({ modelJSON: JSON.parse(JSON.stringify(art.modelJSON)), weightData: art.weightData }));
    if (back) {
      expect(back).toBeInstanceOf(UpconvError);
      throw new Error(`a named error, but the model is valid: ${back.message}`);
    }
    const loaded = await loadModel({ modelJSON: JSON.parse(JSON.stringify(art.modelJSON)), weightData: art.weightData });
    expect(loaded.layers.map((l) => l.name)).toEqual(names);
    expect(loaded.getWeights().map((t) => Array.from(t.data))).toEqual(tinyWeights().map((t) => Array.from(t.data)));
  });

  it('a manifest entry named constructor that no layer wants is ignored, not matched', async () => {
    const art = tiny();
    const json = JSON.parse(JSON.stringify(art.modelJSON));
    json.weightsManifest[0].weights.push({ name: 'constructor', shape: [1], dtype: 'float32' }, { name: '__proto__', shape: [1], dtype: 'float32' });
    const data = new Uint8Array(art.weightData.byteLength + 8);
    data.set(new Uint8Array(art.weightData));
    const m = await loadModel({ modelJSON: json, weightData: data.buffer });
    expect(Array.from(m.getWeights()[0].data)).toEqual(Array.from(tinyWeights()[0].data));
  });
});
