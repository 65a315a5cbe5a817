/**
 * A functional model's config in the tf.keras 2 layout (tf_keras/engine/functional.py ::
 * get_network_config): each layer once with its `inbound_nodes` — only the nodes of this model,
 * renumbered among them — as `[[name, node_index, tensor_index, kwargs], ...]`, plus
 * `input_layers` / `output_layers`. A nested model's calls count from 1 (its own node 0).
 */
import type { Layer } from '../layers/layer.js';
import type { KerasTensor, Node } from '../layers/node.js';
import type { Model } from './model.js';

/** tf.keras 2: a nested Functional skips its own node 0; a nested Sequential when it has an InputLayer. */
function skipsFirstNode(layer: Layer): boolean {
  if (!('graph' in layer)) return false;
  if (layer.className !== 'Sequential') return true;
  return (layer as unknown as { hasInputLayer: boolean }).hasInputLayer;
}

/** A call's keyword arguments as the file gave them (TFOpLambda's block_size, …), then `training`. */
export function callKwargs(n: Node): Record<string, unknown> {
  const kwargs: Record<string, unknown> = { ...n.args.kwargs };
  delete kwargs.training;
  if (n.args.training !== undefined) kwargs.training = n.args.training;
  return kwargs;
}

export function modelConfig(model: Model): Record<string, unknown> {
  const g = model.graph;
  const kept = new Set<Node>(g.depth.keys());
  // node index as the config writes it: position among this model's nodes of that layer
  const index = (node: Node): number => {
    let k = 0;
    for (const n of node.layer.inboundNodes) {
      if (n === node) break;
      if (kept.has(n)) k++;
    }
    return k + (skipsFirstNode(node.layer) ? 1 : 0);
  };
  const ref = (t: KerasTensor, kwargs: Record<string, unknown>) => [t.node.layer.name, index(t.node), t.index, kwargs];
  const layers = g.layers.map((layer) => {
    const nodes = layer.inboundNodes.filter((n) => kept.has(n) && !n.isInput).map((n) => {
      const kwargs = callKwargs(n);
      return n.inputs.map((t) => ref(t, kwargs));
    });
    return { class_name: layer.className, config: layer.getConfig(), name: layer.name, inbound_nodes: nodes };
  });
  return {
    name: model.name,
    layers,
    input_layers: g.inputs.map((t) => [t.node.layer.name, 0, t.index]),
    output_layers: g.outputs.map((t) => [t.node.layer.name, index(t.node), t.index]),
  };
}
