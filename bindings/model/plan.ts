/**
 * One batch size's plan over a Program: activation buffers placed by liveness in the arena after
 * the statics, per-batch tables after them, memory grown once, and the steps bound. `run` then
 * only copies inputs in and calls the steps.
 */
import { MemoryLimitError } from '../errors.js';
import { align, assignOffsets } from '../memory/planner.js';
import type { Step } from '../ops/op.js';
import { formatBytes, planStats, type Program } from './program.js';

export interface Plan {
  readonly batch: number;
  readonly steps: readonly Step[];
  /** Views of the model's inputs and outputs in backend memory (valid until memory grows). */
  readonly inputs: readonly Float32Array[];
  readonly outputs: readonly Float32Array[];
  readonly bytes: number;
  /** The layer each step belongs to (for profiles). */
  readonly stepLayers: readonly string[];
}

export function buildPlan(p: Program, batch: number, limit: number, label: string): Plan {
  planStats.plans++;
  const lifetimes = p.buffers.map((b) => ({ bytes: 4 * batch * b.floats, first: b.first, last: b.last }));
  const { offsets, size: activationBytes } = assignOffsets(lifetimes);
  const activations = p.staticEnd;
  const tableSizes = p.calls.map((c) => align(c.op.tableBytes(batch)));
  const tables = activations + activationBytes;
  let total = tables;
  for (const t of tableSizes) total += t;
  if (!Number.isSafeInteger(total) || total > limit) {
    let worst = p.calls[0];
    for (const c of p.calls) if (p.values[c.output].floats > p.values[worst.output].floats) worst = c;
    const largest = worst ? ` (largest layer output: ${worst.layer.label}, ${formatBytes(4 * batch * p.values[worst.output].floats)})` : '';
    throw new MemoryLimitError(
      `${label}: predicting a batch of ${batch} needs ${formatBytes(total)}${largest}, over the memory limit of ${formatBytes(limit)}; ` +
      'use a smaller batch or raise model.memoryLimit');
  }
  p.memory.ensure(total);
  const { f32, u32 } = p.views();
  const ptrOf = (v: number) => activations + offsets[p.values[v].buffer];
  const steps: Step[] = [];
  const stepLayers: string[] = [];
  let table = tables;
  p.calls.forEach((c, i) => {
    if (!c.fused) {
      const made = c.op.steps({
        kernels: p.kernels, f32, u32, batch,
        inputs: c.inputs.map(ptrOf), output: ptrOf(c.output),
        statics: c.statics, tables: table, zeroRow: p.zeroRow, epilogue: c.epilogue,
      });
      for (const s of made) {
        steps.push(s);
        stepLayers.push(c.layer.name);
      }
    }
    table += tableSizes[i];
  });
  const buf = p.memory.buffer;
  return {
    batch,
    steps,
    inputs: p.inputValues.map((v) => new Float32Array(buf, ptrOf(v), batch * p.values[v].floats)),
    outputs: p.outputValues.map((v) => new Float32Array(buf, ptrOf(v), batch * p.values[v].floats)),
    bytes: total,
    stepLayers,
  };
}
