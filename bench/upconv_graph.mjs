// A graph shape (graphs.mjs) as an upconv Functional model: Input → layer.apply → new Model, the
// layers named after the nodes, each layer's weights set with layer.setWeights (Keras layout).

/** The layer of one node (null for an input). */
function layerOf(u, n) {
  const name = n.name;
  switch (n.op) {
    case 'conv':
      return new u.Conv2D(n.filters, n.kernel, { strides: n.strides, padding: n.padding, useBias: n.useBias, activation: n.activation ?? null, name });
    case 'convT':
      return new u.Conv2DTranspose(n.filters, n.kernel, { strides: n.strides, padding: n.padding, useBias: n.useBias, activation: n.activation ?? null, name });
    case 'bn':
      return new u.BatchNormalization({ epsilon: n.epsilon, name });
    case 'leaky':
      return new u.LeakyReLU({ alpha: n.alpha, name });
    case 'relu':
      return new u.ReLU({ name });
    case 'tanh':
      return new u.Activation('tanh', { name });
    case 'prelu':
      return new u.PReLU({ sharedAxes: n.sharedAxes, name });
    case 'dropout':
      return new u.Dropout(n.rate, { name });
    case 'concat':
      return new u.Concatenate({ axis: -1, name });
    case 'add':
      return new u.Add({ name });
    case 'd2s':
      // what TF 2.4+ saves for tf.nn.depth_to_space in a Functional model
      return new u.TFOpLambda({ function: 'nn.depth_to_space', name });
    default:
      throw new Error(`upconv: graph op ${n.op}`);
  }
}

/** Builds the Functional model of a graph shape with `data.weights` (a Map node name → weights). */
export function buildUpconvGraph(u, shape, data) {
  const t = new Map();
  const inputs = [];
  const layers = [];
  for (const n of shape.graph) {
    if (n.op === 'input') {
      const x = u.Input({ shape: n.shape, name: n.name });
      inputs.push(x);
      t.set(n.name, x);
      continue;
    }
    const layer = layerOf(u, n);
    const args = n.op === 'd2s' ? { kwargs: { block_size: n.block } } : undefined;
    const xs = n.inputs.map((i) => t.get(i));
    t.set(n.name, layer.apply(xs.length === 1 ? xs[0] : xs, args));
    layers.push([n.name, layer]);
  }
  const out = t.get(shape.graph[shape.graph.length - 1].name);
  const model = new u.Model({ inputs: inputs.length === 1 ? inputs[0] : inputs, outputs: out, name: shape.id });
  for (const [name, layer] of layers) {
    const w = data.weights.get(name);
    if (w) layer.setWeights(w.map((x) => u.tensor(x.data, x.shape)));
  }
  return model;
}
