import { describe, expect, it } from 'vitest';
import { Activation, Dense, LeakyReLU, Sequential, type Tensor, tensor } from '../../bindings/index.js';
import { loadModel, saveModel, UnsupportedModelError } from '../../bindings/io/index.js';
import { KERAS2_HARD_SIGMOID } from '../../bindings/model/config.js';

/** tf.js artifacts for a config, with the weights of `weightsFrom` (matched by layer name). */
function artifacts(modelConfig: unknown, weightsFrom: Sequential, kerasVersion = '2.10.0') {
  const { modelJSON, weightData } = saveModel(weightsFrom);
  return {
    modelJSON: { ...modelJSON, generatedBy: 'keras', modelTopology: { keras_version: kerasVersion, backend: 'tensorflow', model_config: modelConfig } },
    weightData,
  };
}

const X = tensor([[0.5, -1.5, 2.0], [-0.25, 0.75, -3.0]]);

function dense(name: string, units: number, extra: Record<string, unknown> = {}) {
  return { class_name: 'Dense', config: { name, units, activation: 'linear', use_bias: true, ...extra } };
}

describe('config layouts', () => {
  it('Keras 2.0/2.1: Model(Input → Sequential) where the nested Sequential config is a bare list', async () => {
    const ref = new Sequential([new Dense(4, { inputShape: [3], name: 'dense_1' }), new Dense(2, { name: 'dense_2', activation: 'tanh' })]);
    const config = {
      class_name: 'Model',
      config: {
        name: 'model_1',
        layers: [
          { name: 'input_1', class_name: 'InputLayer', config: { batch_input_shape: [null, 3], dtype: 'float32', sparse: false, name: 'input_1' }, inbound_nodes: [] },
          {
            name: 'sequential_1', class_name: 'Sequential',
            config: [dense('dense_1', 4, { batch_input_shape: [null, 3] }), dense('dense_2', 2, { activation: 'tanh' })],
            inbound_nodes: [[['input_1', 0, 0, {}]]],
          },
        ],
        input_layers: [['input_1', 0, 0]],
        output_layers: [['sequential_1', 1, 0]],
      },
    };
    const m = await loadModel(artifacts(config, ref, '2.1.6'));
    expect(m.layers.map((l) => l.name)).toEqual(['input_1', 'sequential_1']);
    expect((m.layers[1] as Sequential).layers.map((l) => l.name)).toEqual(['dense_1', 'dense_2']);
    expect(Array.from((m.predict(X) as Tensor).data)).toEqual(Array.from(ref.predict(X).data));
  });

  it('a linear Functional chain loads as a functional model, its layers in graph order', async () => {
    const ref = new Sequential([new Dense(4, { inputShape: [3], name: 'a' }), new LeakyReLU({ alpha: 0.1, name: 'lr' }), new Dense(2, { name: 'b' })]);
    const node = (from: string) => [[[from, 0, 0, {}]]];
    const config = {
      class_name: 'Functional',
      config: {
        name: 'f',
        layers: [
          // listed out of order on purpose: the chain is followed from input to output
          { name: 'b', ...dense('b', 2), inbound_nodes: node('lr') },
          { name: 'in', class_name: 'InputLayer', config: { name: 'in', batch_input_shape: [null, 3] }, inbound_nodes: [] },
          { name: 'lr', class_name: 'LeakyReLU', config: { name: 'lr', alpha: 0.1 }, inbound_nodes: node('a') },
          { name: 'a', ...dense('a', 4), inbound_nodes: node('in') },
        ],
        input_layers: [['in', 0, 0]],
        output_layers: [['b', 0, 0]],
      },
    };
    const m = await loadModel(artifacts(config, ref));
    expect(m.layers.map((l) => l.name)).toEqual(['in', 'a', 'lr', 'b']);
    expect(Array.from((m.predict(X) as Tensor).data)).toEqual(Array.from(ref.predict(X).data));
  });

  it('ReLU, ELU and Softmax layers load as the activations they are', async () => {
    const ref = new Sequential([
      new Dense(4, { inputShape: [3], name: 'd' }), new Activation('relu6', { name: 'r6' }), new Activation('relu', { name: 'r' }),
      new LeakyReLU({ alpha: 0.3, name: 'lr' }), new Activation('elu', { name: 'e' }), new Activation('softmax', { name: 's' }),
    ]);
    const config = {
      class_name: 'Sequential',
      config: {
        name: 's',
        layers: [
          dense('d', 4, { batch_input_shape: [null, 3] }),
          { class_name: 'ReLU', config: { name: 'r6', max_value: 6, negative_slope: 0, threshold: 0 } },
          { class_name: 'ReLU', config: { name: 'r', max_value: null, negative_slope: 0, threshold: 0 } },
          { class_name: 'ReLU', config: { name: 'lr', max_value: null, negative_slope: 0.3, threshold: 0 } },
          { class_name: 'ELU', config: { name: 'e', alpha: 1 } },
          { class_name: 'Softmax', config: { name: 's', axis: -1 } },
        ],
      },
    };
    const m = await loadModel(artifacts(config, ref));
    expect(Array.from((m.predict(X) as Tensor).data)).toEqual(Array.from(ref.predict(X).data));
    // ReLU with a threshold and ELU with another alpha: Keras's formulas, checked in float64
    const odd = { class_name: 'Sequential', config: { name: 's', layers: [dense('d', 4, { batch_input_shape: [null, 3] }), { class_name: 'ReLU', config: { name: 'r', threshold: 0.25, max_value: 0.8, negative_slope: 0.1 } }, { class_name: 'ELU', config: { name: 'e', alpha: 0.5 } }] } };
    const got = (await loadModel(artifacts(odd, ref)) as Sequential).predict(X).data;
    const dense4 = new Sequential([ref.layers[0]]).predict(X).data;
    dense4.forEach((v, i) => {
      const r = v > 0.25 ? Math.min(v, 0.8) : 0.1 * (v - 0.25);
      const e = r > 0 ? r : 0.5 * Math.expm1(r);
      expect(got[i]).toBeCloseTo(e, 6);
    });
    const bad = { class_name: 'Sequential', config: { name: 's', layers: [dense('d', 4, { batch_input_shape: [null, 3] }), { class_name: 'ReLU', config: { name: 'r', threshold: -1 } }, { class_name: 'ELU', config: { name: 'e', alpha: 'x' } }] } };
    const e = await loadModel(artifacts(bad, ref)).catch((x) => x);
    expect(e).toBeInstanceOf(UnsupportedModelError);
    expect((e as UnsupportedModelError).problems).toHaveLength(2);
  });

  // The activations the documentation lists (docs/io.md, README): each loads from a file and
  // computes what the layer built in code computes; a name outside the list is refused.
  const DOCUMENTED = ['linear', 'relu', 'sigmoid', 'tanh', 'leaky_relu', 'elu', 'selu', 'softplus', 'softsign', 'swish', 'silu', 'gelu',
    'hard_sigmoid', 'relu6', 'exponential', 'softmax'];

  it.each(DOCUMENTED)('activation %s in a Keras 3 file loads and predicts as the layer built in code', async (act) => {
    const ref = new Sequential([new Dense(3, { inputShape: [3], name: 'd', activation: act })]);
    const config = { class_name: 'Sequential', config: { name: 's', layers: [dense('d', 3, { batch_input_shape: [null, 3], activation: act })] } };
    const m = await loadModel(artifacts(config, ref, '3.6.0'));
    expect(m.layers[0].getConfig().activation).toBe(act);
    expect(Array.from((m.predict(X) as Tensor).data)).toEqual(Array.from(ref.predict(X).data));
  });

  it.each(['mish', 'log_softmax', 'hard_silu'])('activation %s (not supported) is refused by name at load time', async (act) => {
    const ref = new Sequential([new Dense(3, { inputShape: [3], name: 'd' })]);
    const config = { class_name: 'Sequential', config: { name: 's', layers: [dense('d', 3, { batch_input_shape: [null, 3], activation: act })] } };
    const e = await loadModel(artifacts(config, ref, '3.6.0')).catch((x) => x);
    expect(e).toBeInstanceOf(UnsupportedModelError);
    expect((e as Error).message).toContain(act);
  });

  it("hard_sigmoid in a Keras 2 file means Keras 2's clip(0.2x + 0.5, 0, 1), not Keras 3's relu6(x + 3) / 6", async () => {
    const ref = new Sequential([new Dense(3, { inputShape: [3], name: 'd' })]);
    const config = { class_name: 'Sequential', config: { name: 's', layers: [dense('d', 3, { batch_input_shape: [null, 3], activation: 'hard_sigmoid' })] } };
    const m = await loadModel(artifacts(config, ref, '2.10.0'));
    expect(m.layers[0].getConfig().activation).toBe(KERAS2_HARD_SIGMOID);
    const lin = ref.predict(X).data;
    const got = (m.predict(X) as Tensor).data;
    lin.forEach((v, i) => expect(got[i]).toBeCloseTo(Math.min(1, Math.max(0, 0.2 * v + 0.5)), 6));
    // and the two formulas differ on these inputs, so the test tells them apart
    expect(Array.from(lin).some((v) => Math.abs(Math.min(1, Math.max(0, 0.2 * v + 0.5)) - Math.min(1, Math.max(0, v / 6 + 0.5))) > 1e-3)).toBe(true);
  });
});
