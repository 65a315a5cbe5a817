/**
 * A model's graph from its input and output tensors, as Keras's `map_graph` builds it
 * (keras/src/ops/function.py :: map_graph, _build_map): the nodes in an execution order, each
 * layer once in Keras's order (decreasing depth, ties by first visit of a depth-first walk from the
 * outputs), and the checks Keras makes (cycles, disconnected inputs, duplicate names).
 */
import { ConfigError } from '../errors.js';
import type { Layer } from '../layers/layer.js';
import { KerasTensor, type Node } from '../layers/node.js';

export interface Graph {
  readonly inputs: readonly KerasTensor[];
  readonly outputs: readonly KerasTensor[];
  /** Non-input nodes in an order where every node follows the nodes it reads. */
  readonly nodes: readonly Node[];
  /** Every node of the model (input nodes included) with its depth (0 at the outputs). */
  readonly depth: ReadonlyMap<Node, number>;
  /** Each layer once, Keras's `model.layers` order (InputLayers included). */
  readonly layers: readonly Layer[];
}

export function mapGraph(inputs: readonly KerasTensor[], outputs: readonly KerasTensor[], where: string): Graph {
  for (const t of [...inputs, ...outputs]) {
    if (!(t instanceof KerasTensor)) throw new ConfigError(`${where}: inputs and outputs must be symbolic tensors (from Input() and layer.apply()), got ${String(t)}`);
  }
  for (const t of inputs) {
    if (!t.node.isInput) throw new ConfigError(`${where}: model inputs must come from Input() (got the output of ${t.node.layer.label})`);
  }
  if (new Set(inputs).size !== inputs.length) throw new ConfigError(`${where}: the same input tensor is listed twice`);
  const inputSet = new Set(inputs);

  // _build_map: post-order depth-first walk from the outputs; operation indices on first visit
  const finished = new Set<Node>();
  const inProgress = new Set<Node>();
  const ordered: Node[] = [];
  const layerIndex = new Map<Layer, number>();
  const visit = (tensor: KerasTensor): void => {
    // an explicit stack instead of recursion: deep graphs must not overflow the JS stack
    const stack: { node: Node; next: number }[] = [];
    const enter = (t: KerasTensor): void => {
      const node = t.node;
      if (finished.has(node)) return;
      if (inProgress.has(node)) throw new ConfigError(`${where}: the tensor from ${node.layer.label} is part of a cycle`);
      if (!layerIndex.has(node.layer)) layerIndex.set(node.layer, layerIndex.size);
      inProgress.add(node);
      stack.push({ node, next: inputSet.has(t) ? node.inputs.length : 0 });
    };
    enter(tensor);
    while (stack.length) {
      const top = stack[stack.length - 1];
      if (top.next < top.node.inputs.length) {
        enter(top.node.inputs[top.next++]);
      } else {
        stack.pop();
        inProgress.delete(top.node);
        finished.add(top.node);
        ordered.push(top.node);
      }
    }
  };
  for (const out of outputs) visit(out);

  // depths: 0 at the outputs, parents at least one deeper
  const depth = new Map<Node, number>();
  const layerDepth = new Map<Layer, number>();
  for (let i = ordered.length - 1; i >= 0; i--) {
    const node = ordered[i];
    const d = Math.max(depth.get(node) ?? 0, layerDepth.get(node.layer) ?? 0);
    layerDepth.set(node.layer, d);
    depth.set(node, d);
    for (const t of node.inputs) {
      const parent = t.node;
      depth.set(parent, Math.max(d + 1, depth.get(parent) ?? 0));
    }
  }
  for (const t of inputs) {
    const layer = t.node.layer;
    if (!layerDepth.has(layer)) {
      layerDepth.set(layer, 0);
      layerIndex.set(layer, -1);
      depth.set(t.node, 0);
    }
  }

  // layers by decreasing depth, ties by first visit
  const layers = [...layerDepth.keys()].sort((a, b) =>
    layerDepth.get(b)! - layerDepth.get(a)! || layerIndex.get(a)! - layerIndex.get(b)!);

  // every tensor a node reads must be computable from the inputs
  const computable = new Set<KerasTensor>(inputs);
  const nodes: Node[] = [];
  const byDepth = [...depth.keys()].sort((a, b) => depth.get(b)! - depth.get(a)!);
  const seenLayers: Layer[] = [];
  for (const node of byDepth) {
    if (node.isInput) {
      if (!node.outputs.some((t) => computable.has(t))) {
        throw new ConfigError(`${where}: graph disconnected: the model needs the input ${node.layer.label}, which is not among its inputs`);
      }
      continue;
    }
    for (const t of node.inputs) {
      if (!computable.has(t)) {
        throw new ConfigError(`${where}: graph disconnected: cannot obtain the value of the tensor from ${t.node.layer.label} needed by ${node.layer.label}; ` +
          `layers reached from the inputs: ${seenLayers.map((l) => `'${l.name}'`).join(', ') || 'none'}`);
      }
    }
    seenLayers.push(node.layer);
    for (const t of node.outputs) computable.add(t);
  }
  for (const t of outputs) if (!computable.has(t)) throw new ConfigError(`${where}: graph disconnected: the output from ${t.node.layer.label} does not depend on the inputs`);
  for (const node of ordered) if (!node.isInput) nodes.push(node);

  const names = new Map<string, Layer>();
  for (const l of layers) {
    const other = names.get(l.name);
    if (other && other !== l) throw new ConfigError(`${where}: two layers are named '${l.name}'; layer names in a model must be unique`);
    names.set(l.name, l);
  }
  return { inputs, outputs, nodes, depth, layers };
}
