import type { Backend, KernelMemory, Kernels } from '../backend/kernels.js';
import { MemoryLimitError } from '../errors.js';
import type { Layer, Step } from '../layers/layer.js';
import { align, assignOffsets, type Lifetime } from '../memory/planner.js';
import { sizeOf } from '../tensor.js';

/**
 * A model bound to one backend memory: the static region (zero row, each layer's packed weights
 * and tap tables), written at bind time and again by setWeights.
 *
 * Memory layout: [base | zero row | layer statics … | activations (by liveness) | per-batch tables]
 */
export class Runtime {
  readonly backend: Backend;
  readonly memory: KernelMemory;
  readonly kernels: Kernels;
  readonly zeroRow: number;
  readonly statics: number[];
  readonly staticEnd: number;

  constructor(backend: Backend, layers: readonly Layer[]) {
    this.backend = backend;
    const { memory, kernels } = backend.createMemory();
    this.memory = memory;
    this.kernels = kernels;
    let at = memory.base;
    this.zeroRow = at;
    at += align(4 * Math.max(4, ...layers.map((l) => l.zeroRowFloats())));
    this.statics = layers.map((l) => {
      const ptr = at;
      at += align(4 * l.staticFloats());
      return ptr;
    });
    this.staticEnd = at;
  }

  /** Grows memory for the statics and writes all of them. */
  writeAllStatics(layers: readonly Layer[], limit: number, modelLabel: string): void {
    if (this.staticEnd > limit) {
      throw new MemoryLimitError(`${modelLabel}: the weights need ${formatBytes(this.staticEnd)} of backend memory, over the memory limit of ${formatBytes(limit)}; raise model.memoryLimit`);
    }
    this.memory.ensure(this.staticEnd);
    const zeroEnd = this.statics.length ? this.statics[0] : this.staticEnd;
    new Uint8Array(this.memory.buffer, this.zeroRow, zeroEnd - this.zeroRow).fill(0);
    layers.forEach((l, i) => this.writeStatic(l, i));
  }

  writeStatic(layer: Layer, index: number): void {
    const buf = this.memory.buffer;
    layer.writeStatic(new Float32Array(buf), new Uint32Array(buf), this.statics[index]);
  }
}

/** One batch size's steps and the views predict copies through. */
export interface Plan {
  readonly batch: number;
  readonly steps: readonly Step[];
  readonly input: Float32Array;
  readonly output: Float32Array;
  readonly bytes: number;
}

export function formatBytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(2)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  if (n >= 2 ** 10) return `${(n / 2 ** 10).toFixed(1)} KiB`;
  return `${n} bytes`;
}

/** Lays out activations and tables for `batch` samples, grows memory once, and builds the steps. */
export function buildPlan(rt: Runtime, layers: readonly Layer[], inputShape: readonly number[], batch: number,
                          limit: number, modelLabel: string): Plan {
  // Buffers: 0 is the input; each layer that computes writes a new one, unless it aliases or
  // works in place. A buffer lives from the step that writes it to the last step that reads it.
  const buffers: { bytes: number; first: number; last: number }[] = [{ bytes: 4 * batch * sizeOf(inputShape), first: -1, last: -1 }];
  const reads: number[] = [];
  const writes: number[] = [];
  let current = 0;
  layers.forEach((layer, i) => {
    reads.push(current);
    buffers[current].last = i;
    if (!layer.aliasesInput && !layer.inPlace) {
      buffers.push({ bytes: 4 * batch * sizeOf(layer.outputShape!), first: i, last: i });
      current = buffers.length - 1;
    }
    writes.push(current);
  });
  buffers[current].last = layers.length; // the output is read after the last step

  const { offsets, size: activationBytes } = assignOffsets(buffers as Lifetime[]);
  const activations = rt.staticEnd;
  const tableSizes = layers.map((l) => align(l.tableBytes(batch)));
  const tables = activations + activationBytes;
  const total = tables + tableSizes.reduce((a, b) => a + b, 0);
  if (total > limit) {
    const worst = layers.reduce((w, l) => (sizeOf(l.outputShape!) > sizeOf(w.outputShape!) ? l : w), layers[0]);
    throw new MemoryLimitError(
      `${modelLabel}: predicting a batch of ${batch} needs ${formatBytes(total)} (largest layer output: ${worst.label}, ` +
      `${formatBytes(4 * batch * sizeOf(worst.outputShape!))}), over the memory limit of ${formatBytes(limit)}; ` +
      'use a smaller batch or raise model.memoryLimit');
  }
  rt.memory.ensure(total);

  const buf = rt.memory.buffer;
  const f32 = new Float32Array(buf);
  const u32 = new Uint32Array(buf);
  const steps: Step[] = [];
  let table = tables;
  for (let i = 0; i < layers.length; i++) {
    // a layer followed by a cheap in-place activation applies it in its own epilogue
    const next = layers[i + 1];
    const offer = next && layers[i].acceptsEpilogue && next.inPlace ? next.epilogueOffer() : null;
    steps.push(...layers[i].plan({
      kernels: rt.kernels, f32, u32, batch,
      input: activations + offsets[reads[i]],
      output: activations + offsets[writes[i]],
      statics: rt.statics[i],
      tables: table,
      zeroRow: rt.zeroRow,
      epilogue: offer,
    }));
    table += tableSizes[i];
    if (offer) {
      table += tableSizes[i + 1];
      i++; // the activation layer's work is done
    }
  }
  const inputPtr = activations + offsets[0];
  const outputPtr = activations + offsets[current];
  const outputShape = layers.length ? layers[layers.length - 1].outputShape! : inputShape;
  return {
    batch,
    steps,
    input: new Float32Array(buf, inputPtr, batch * sizeOf(inputShape)),
    output: new Float32Array(buf, outputPtr, batch * sizeOf(outputShape)),
    bytes: total,
  };
}
