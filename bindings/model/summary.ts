/**
 * Keras 2.2.4's `model.summary()` (keras/utils/layer_utils.py :: print_summary): a sequential-like
 * model gets the 65-column table (fields cut at 29/55/65), any other the 98-column table with a
 * "Connected to" column (cut at 32/53/65/98). Rows are padded with spaces as print_row pads them.
 */
import type { Layer } from '../layers/layer.js';
import type { Node } from '../layers/node.js';
import type { Model } from './model.js';

function row(fields: string[], positions: readonly number[]): string {
  let line = '';
  fields.forEach((field, i) => {
    if (i > 0) line = line.slice(0, -1) + ' ';
    line += field;
    line = line.slice(0, positions[i]);
    line += ' '.repeat(positions[i] - line.length);
  });
  return line;
}

/** Python's '{:,}'.format(n). */
function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Python's str() of a shape tuple: (None, 5, 5, 128). */
function tuple(shape: readonly (number | null)[]): string {
  const dims = shape.map((d) => (d === null ? 'None' : String(d)));
  return dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
}

/** Keras's `layer.output_shape`: the same for every call, else 'multiple'. */
function outputShape(layer: Layer): string {
  const nodes = layer.inboundNodes;
  if (!nodes.length) return 'multiple';
  const texts = nodes.map((n) => {
    const shapes = n.outputs.map((t) => tuple(t.shape));
    return shapes.length === 1 ? shapes[0] : `[${shapes.join(', ')}]`;
  });
  return texts.every((t) => t === texts[0]) ? texts[0] : 'multiple';
}

/** Keras 2.2.4's test: one node per depth, one inbound layer per node, no layer called twice. */
function sequentialLike(model: Model): boolean {
  if (model.className === 'Sequential') return true;
  const byDepth = new Map<number, Node[]>();
  for (const [node, d] of model.graph.depth) {
    const list = byDepth.get(d);
    if (list) list.push(node);
    else byDepth.set(d, [node]);
  }
  const nodes = new Set<Node>();
  for (const list of byDepth.values()) {
    if (list.length > 1 || (list.length === 1 && list[0].inputs.length > 1)) return false;
    nodes.add(list[0]);
  }
  for (const layer of model.layers) {
    if (layer.inboundNodes.filter((n) => nodes.has(n)).length > 1) return false;
  }
  return true;
}

/** `name[node][tensor]` for each tensor a layer's nodes in this model read. */
function connections(layer: Layer, model: Model): string[] {
  const relevant = model.graph.depth;
  const out: string[] = [];
  for (const node of layer.inboundNodes) {
    if (!relevant.has(node)) continue;
    for (const t of node.inputs) out.push(`${t.node.layer.name}[${nodeIndex(t.node)}][${t.index}]`);
  }
  return out;
}

/** Keras 2.2.4 node index: every Network has its own node 0, so calls of a nested model count from 1. */
function nodeIndex(n: Node): number {
  return n.index + ('graph' in n.layer ? 1 : 0);
}

export function summaryText(model: Model): string {
  const seq = sequentialLike(model);
  const lineLength = seq ? 65 : 98;
  const positions = seq ? [29, 55, 65] : [32, 53, 65, 98];
  const header = seq ? ['Layer (type)', 'Output Shape', 'Param #'] : ['Layer (type)', 'Output Shape', 'Param #', 'Connected to'];
  const layers = model.layers;
  const lines = ['_'.repeat(lineLength), row(header, positions), '='.repeat(lineLength)];
  layers.forEach((layer, i) => {
    const fields = [`${layer.name} (${layer.className})`, outputShape(layer), String(layer.countParams())];
    if (seq) {
      lines.push(row(fields, positions));
    } else {
      const conn = connections(layer, model);
      lines.push(row([...fields, conn[0] ?? ''], positions));
      for (let k = 1; k < conn.length; k++) lines.push(row(['', '', '', conn[k]], positions));
    }
    lines.push((i === layers.length - 1 ? '=' : '_').repeat(lineLength));
  });
  if (!layers.length) lines.push('='.repeat(lineLength));
  const total = model.countParams();
  const trainable = model.trainableParams();
  lines.push(`Total params: ${thousands(total)}`);
  lines.push(`Trainable params: ${thousands(trainable)}`);
  lines.push(`Non-trainable params: ${thousands(total - trainable)}`);
  lines.push('_'.repeat(lineLength));
  return lines.join('\n');
}
