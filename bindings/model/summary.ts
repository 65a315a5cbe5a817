import type { Layer } from '../layers/layer.js';

/**
 * The classic Keras 2.2.4 `model.summary()` table for a Sequential model
 * (keras/utils/layer_utils.py :: print_summary): 65 columns, fields cut at 29/55/65.
 */
const LINE = 65;
const POSITIONS = [29, 55, 65];

function row(fields: string[]): string {
  let line = '';
  fields.forEach((field, i) => {
    if (i > 0) line = line.slice(0, -1) + ' ';
    line += field;
    line = line.slice(0, POSITIONS[i]);
    line += ' '.repeat(POSITIONS[i] - line.length);
  });
  return line;
}

/** Python's str() of a shape tuple with a None batch: (None, 5, 5, 128). */
export function shapeString(shape: readonly number[]): string {
  return `(None, ${shape.join(', ')})`;
}

/** Python's '{:,}'.format(n). */
function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function summaryText(layers: readonly Layer[]): string {
  const lines = ['_'.repeat(LINE), row(['Layer (type)', 'Output Shape', 'Param #']), '='.repeat(LINE)];
  let trainable = 0;
  let nonTrainable = 0;
  layers.forEach((layer, i) => {
    const p = layer.countParams();
    trainable += p.trainable;
    nonTrainable += p.nonTrainable;
    lines.push(row([`${layer.name} (${layer.className})`, shapeString(layer.outputShape!), String(p.trainable + p.nonTrainable)]));
    lines.push((i === layers.length - 1 ? '=' : '_').repeat(LINE));
  });
  if (!layers.length) lines.push('='.repeat(LINE));
  lines.push(`Total params: ${thousands(trainable + nonTrainable)}`);
  lines.push(`Trainable params: ${thousands(trainable)}`);
  lines.push(`Non-trainable params: ${thousands(nonTrainable)}`);
  lines.push('_'.repeat(LINE));
  return lines.join('\n');
}
