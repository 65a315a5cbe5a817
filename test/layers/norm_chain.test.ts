import { beforeAll, describe, expect, it } from 'vitest';
import {
  BatchNormalization, DepthwiseConv2D, GroupNormalization, init, Input, InstanceNormalization, LayerNormalization, LeakyReLU,
  Model, PixelNormalization, ReLU, SeparableConv2D, Tensor, tensor,
} from '../../bindings/index.js';
import { BACKENDS, use } from '../util/backends.js';
import { mismatch } from '../util/close.js';
import * as naive from '../util/naive.js';
import { depthwiseConv2d, separableConv2d } from '../util/naive_depthwise.js';
import { batchNormTraining, groupNorm, layerNorm, pixelNorm, tfaInstanceNorm } from '../util/naive_norm.js';
import { affineWeights, normInput } from '../util/norm_data.js';
import { rng } from '../util/rng.js';

/**
 * The new layers chained as generators chain them, each followed by a cheap activation that the
 * planner fuses into its epilogue (LeakyReLU / ReLU after a normalisation or a linear depthwise
 * convolution), on every backend against the composed float64 oracles (float32 rounding after
 * every layer); predictInto repeated gives the same values.
 */

const f32 = (d: ArrayLike<number>) => Float64Array.from(d, Math.fround);

function chain(batch: number) {
  const r = rng(77);
  const [H, W, C] = [9, 7, 5];
  const input = Input({ shape: [H, W, C] });
  const dw = new DepthwiseConv2D(3, { padding: 'same', depthMultiplier: 2 });
  const inorm = new InstanceNormalization();
  const sep = new SeparableConv2D(6, 3, { padding: 'same' });
  const gn = new GroupNormalization({ groups: 3 });
  const ln = new LayerNormalization({ axis: [1, 2, 3] });
  const bn = new BatchNormalization();
  const pn = new PixelNormalization();
  let t = dw.apply(input);
  t = new LeakyReLU({ alpha: 0.2 }).apply(inorm.apply(t));
  t = new ReLU().apply(gn.apply(sep.apply(t)));
  t = new LeakyReLU({ alpha: 0.3 }).apply(ln.apply(t));
  t = new LeakyReLU({ alpha: 0.1 }).apply(bn.apply(t, { training: true }));
  const model = new Model({ inputs: input, outputs: pn.apply(t) });
  const dwK = r.normalF32(9 * C * 2, 0.5);
  const dwB = r.uniformF32(C * 2);
  const in1 = affineWeights(C * 2, 1);
  const sepD = r.normalF32(9 * C * 2, 0.5);
  const sepP = r.normalF32(C * 2 * 6, 0.4);
  const sepB = r.uniformF32(6);
  const gn1 = affineWeights(6, 2);
  const ln1 = affineWeights(H * W * 6, 3);
  const bn1 = affineWeights(6, 4);
  model.setWeights([
    tensor(dwK, [3, 3, C, 2]), tensor(dwB, [C * 2]), tensor(in1.gamma, [C * 2]), tensor(in1.beta, [C * 2]),
    tensor(sepD, [3, 3, C * 2, 1]), tensor(sepP, [1, 1, C * 2, 6]), tensor(sepB, [6]),
    tensor(gn1.gamma, [6]), tensor(gn1.beta, [6]), tensor(ln1.gamma, [H, W, 6]), tensor(ln1.beta, [H, W, 6]),
    tensor(bn1.gamma, [6]), tensor(bn1.beta, [6]), tensor(new Float32Array(6).fill(3), [6]), tensor(new Float32Array(6).fill(9), [6]),
  ]);
  const shape = [batch, H, W, C];
  const x = tensor(normInput(shape, 5), shape);
  // the oracle, layer by layer, rounded to float32 after each
  let y = f32(depthwiseConv2d(x.data, shape, dwK, [3, 3, C, 2], dwB, { padding: 'same' }).data);
  let s = [batch, H, W, C * 2];
  y = f32(naive.leakyReLU(tfaInstanceNorm(y, s, in1).data, s, 0.2).data);
  y = f32(separableConv2d(y, s, sepD, [3, 3, C * 2, 1], sepP, [1, 1, C * 2, 6], sepB, { padding: 'same' }).data);
  s = [batch, H, W, 6];
  y = f32(groupNorm(y, s, 3, gn1).data.map((v) => Math.max(v, 0)));
  y = f32(naive.leakyReLU(layerNorm(y, s, [1, 2, 3], ln1).data, s, 0.3).data);
  y = f32(naive.leakyReLU(batchNormTraining(y, s, bn1).data, s, 0.1).data);
  return { model, x, want: pixelNorm(y, s).data };
}

beforeAll(async () => {
  await init();
});

for (const backend of BACKENDS) {
  describe(`depthwise and normalisation layers chained with fused activations on ${backend}`, () => {
    it.each([1, 3])('batch %i: matches the composed oracle; the activations were fused', async (batch) => {
      await use(backend);
      const { model, x, want } = chain(batch);
      const got = model.predict(x) as Tensor;
      expect(mismatch(got.data, want, 1e-4)).toBeNull();
      const calls = (model as unknown as { program: { calls: { fused: boolean; layer: { className: string } }[] } }).program.calls;
      expect(calls.filter((c) => c.fused).map((c) => c.layer.className)).toEqual(['LeakyReLU', 'ReLU', 'LeakyReLU', 'LeakyReLU']);
      const out = new Tensor(new Float32Array(got.data.length), got.shape);
      for (let i = 0; i < 3; i++) model.predictInto(x, out);
      expect(Array.from(out.data)).toEqual(Array.from(got.data));
    });
  });
}
