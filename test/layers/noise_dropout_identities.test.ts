import { beforeAll, describe, expect, it } from 'vitest';
import {
  ActivityRegularization, ConfigError, GaussianDropout, GaussianNoise, InputLayer, modelFromJSON, Sequential, ShapeError,
  SpatialDropout2D, type Tensor, tensor,
} from '../../bindings/index.js';
import { BACKENDS, itRunsOnRequestedBackend, use } from '../util/backends.js';
import { rng } from '../util/rng.js';

/**
 * GaussianNoise, GaussianDropout, SpatialDropout2D and ActivityRegularization: training-only
 * layers, the identity at inference (k3 layers/regularization/*: `if training`), with their
 * configs read and written as Keras does.
 */

const make = () => [new GaussianNoise(0.5), new GaussianDropout(0.4), new SpatialDropout2D(0.5), new ActivityRegularization({ l1: 0.01, l2: 0.001 })];

beforeAll(async () => {
  await use('js');
});

describe('inference identities: configs and errors', () => {
  it('configs as Keras writes them, read back by modelFromJSON', () => {
    const m = new Sequential([new InputLayer({ shape: [3, 3, 2] }), ...make()]);
    const json = m.toJSON();
    const cfgs = (json.config as { layers: { class_name: string; config: Record<string, unknown> }[] }).layers.slice(1);
    expect(cfgs.map((l) => l.class_name)).toEqual(['GaussianNoise', 'GaussianDropout', 'SpatialDropout2D', 'ActivityRegularization']);
    expect(cfgs[0].config).toMatchObject({ stddev: 0.5, seed: null });
    expect(cfgs[1].config).toMatchObject({ rate: 0.4, seed: null });
    expect(cfgs[2].config).toMatchObject({ rate: 0.5, noise_shape: null, data_format: 'channels_last' });
    expect(cfgs[3].config).toMatchObject({ l1: 0.01, l2: 0.001 });
    expect(modelFromJSON(JSON.stringify(json)).toJSON()).toEqual(json);
    expect(m.countParams()).toBe(0);
  });

  it('bad arguments are ConfigErrors; SpatialDropout2D needs images', () => {
    expect(() => new GaussianNoise(-1)).toThrow(ConfigError);
    expect(() => new GaussianNoise(NaN)).toThrow(ConfigError);
    expect(() => new GaussianDropout(1.5)).toThrow(ConfigError);
    expect(() => new SpatialDropout2D(-0.1)).toThrow(ConfigError);
    expect(() => new SpatialDropout2D(0.5, { dataFormat: 'channels_first' as never })).toThrow(ConfigError);
    expect(() => new GaussianNoise(0.1, { seed: 'x' as never })).toThrow(ConfigError);
    expect(() => new ActivityRegularization({ l1: -1 })).toThrow(ConfigError);
    expect(() => new ActivityRegularization({ l3: 1 } as never)).toThrow(ConfigError);
    expect(() => new Sequential([new InputLayer({ shape: [5] }), new SpatialDropout2D(0.5)])).toThrow(ShapeError);
  });
});

for (const backend of BACKENDS) {
  describe(`inference identities on ${backend}`, () => {
    itRunsOnRequestedBackend(backend);

    it('each returns its input unchanged, alone and chained, for several shapes', async () => {
      await use(backend);
      for (const shape of [[3, 3, 2], [1, 5, 7], [4, 1, 17]]) {
        const x = tensor(rng(shape[2]).uniformF32(2 * shape.reduce((a, b) => a * b, 1), -3, 3), [2, ...shape]);
        for (const layers of [...make().map((l) => [l]), make()]) {
          const m = new Sequential([new InputLayer({ shape }), ...layers]);
          const y = m.predict(x) as Tensor;
          expect(y.shape).toEqual(x.shape);
          expect(Array.from(y.data)).toEqual(Array.from(x.data));
        }
      }
    });
  });
}
