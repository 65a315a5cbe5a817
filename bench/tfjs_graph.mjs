// A graph shape (graphs.mjs) as a tf.js layers model: tf.input → layer.apply → tf.model, each
// layer's weights set with layer.setWeights (tfjs-layers uses Keras's layouts). tfjs-layers has
// no DepthToSpace layer: a small custom layer calls tf.depthToSpace(x, block, 'NHWC'), as a
// converted TF model would run the op.

let DepthToSpace = null;

function depthToSpaceClass(tf) {
  if (DepthToSpace) return DepthToSpace;
  DepthToSpace = class extends tf.layers.Layer {
    static className = 'DepthToSpace';

    constructor(config) {
      super(config);
      this.block = config.block;
    }

    computeOutputShape(s) {
      const b = this.block;
      return [s[0], s[1] === null ? null : s[1] * b, s[2] === null ? null : s[2] * b, s[3] / (b * b)];
    }

    call(inputs) {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      return tf.depthToSpace(x, this.block, 'NHWC');
    }

    getConfig() {
      return { ...super.getConfig(), block: this.block };
    }
  };
  return DepthToSpace;
}

function layerOf(tf, n) {
  const name = n.name;
  switch (n.op) {
    case 'conv':
      return tf.layers.conv2d({ filters: n.filters, kernelSize: n.kernel, strides: n.strides, padding: n.padding, useBias: n.useBias, activation: n.activation ?? 'linear', name });
    case 'convT':
      return tf.layers.conv2dTranspose({ filters: n.filters, kernelSize: n.kernel, strides: n.strides, padding: n.padding, useBias: n.useBias, activation: n.activation ?? 'linear', name });
    case 'bn':
      return tf.layers.batchNormalization({ epsilon: n.epsilon, name });
    case 'leaky':
      return tf.layers.leakyReLU({ alpha: n.alpha, name });
    case 'relu':
      return tf.layers.reLU({ name });
    case 'tanh':
      return tf.layers.activation({ activation: 'tanh', name });
    case 'prelu':
      return tf.layers.prelu({ sharedAxes: n.sharedAxes, name });
    case 'dropout':
      return tf.layers.dropout({ rate: n.rate, name });
    case 'concat':
      return tf.layers.concatenate({ axis: -1, name });
    case 'add':
      return tf.layers.add({ name });
    case 'd2s':
      return new (depthToSpaceClass(tf))({ block: n.block, name });
    default:
      throw new Error(`tfjs: graph op ${n.op}`);
  }
}

/**
 * Builds a graph shape on the active backend with `data.weights`. Returns { run() → output
 * tensor, dispose() }, as buildTfjsModel does.
 */
export function buildTfjsGraph(tf, shape, data) {
  const t = new Map();
  const inputs = [];
  const layers = [];
  for (const n of shape.graph) {
    if (n.op === 'input') {
      const x = tf.input({ shape: n.shape, name: n.name });
      inputs.push(x);
      t.set(n.name, x);
      continue;
    }
    const layer = layerOf(tf, n);
    const xs = n.inputs.map((i) => t.get(i));
    t.set(n.name, layer.apply(xs.length === 1 ? xs[0] : xs));
    layers.push([n.name, layer]);
  }
  const model = tf.model({ inputs, outputs: t.get(shape.graph[shape.graph.length - 1].name) });
  for (const [name, layer] of layers) {
    const w = data.weights.get(name);
    if (!w) continue;
    const ws = w.map((x) => tf.tensor(x.data, x.shape));
    layer.setWeights(ws);
    for (const x of ws) x.dispose();
  }
  const xs = data.inputs.map((i) => tf.tensor(i.data, i.shape));
  const arg = xs.length === 1 ? xs[0] : xs;
  return {
    run: () => model.predict(arg, { batchSize: shape.batch }),
    dispose: () => {
      for (const x of xs) x.dispose();
      model.dispose();
    },
  };
}
