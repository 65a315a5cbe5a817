import type { Backend, KernelMemory, Kernels } from './kernels.js';
import { elementwiseKernels } from './reference/elementwise.js';
import { gemmKernels } from './reference/gemm.js';
import { resizeKernels } from './reference/resize.js';
import { trainKernels } from './reference/train.js';
import { resampleKernels } from './reference/resample.js';
import { depthwiseKernels } from './reference/depthwise.js';
import { normKernels } from './reference/norm.js';
import { broadcastKernels } from './reference/broadcast.js';
import { copyKernels } from './reference/copy.js';
import { gatherKernels } from './reference/gather.js';
import { shapeGradKernels } from './reference/shape_grad.js';
import type { RefViews } from './reference/views.js';

/**
 * The plain-TypeScript backend: the same kernels as assembly/, written as readable scalar loops
 * over an ArrayBuffer (one file per kernel family in reference/). It is the test oracle, the
 * fallback where WebAssembly is missing, and the "pure JS" side of the benchmarks.
 */

class ReferenceMemory implements KernelMemory {
  buffer = new ArrayBuffer(1 << 16);
  readonly base = 16;
  ensure(bytes: number): void {
    if (bytes <= this.buffer.byteLength) return;
    const grown = new ArrayBuffer(Math.max(bytes, this.buffer.byteLength * 2));
    new Uint8Array(grown).set(new Uint8Array(this.buffer));
    this.buffer = grown;
  }
}

function referenceKernels(memory: ReferenceMemory): Kernels {
  const v: RefViews = {
    f32: new Float32Array(memory.buffer),
    u32: new Uint32Array(memory.buffer),
    refresh() {
      if (this.f32.buffer !== memory.buffer) {
        this.f32 = new Float32Array(memory.buffer);
        this.u32 = new Uint32Array(memory.buffer);
      }
    },
  };
  return { ...gemmKernels(v), ...elementwiseKernels(v), ...resizeKernels(v), ...trainKernels(v),
    ...resampleKernels(v), ...depthwiseKernels(v), ...normKernels(v),
    ...broadcastKernels(v), ...copyKernels(v), ...gatherKernels(v),
    ...shapeGradKernels(v) };
}

export const referenceBackend: Backend = {
  name: 'js',
  createMemory() {
    const memory = new ReferenceMemory();
    return { memory, kernels: referenceKernels(memory) };
  },
};

/** Every kernel name (what a WebAssembly build must export). */
export const KERNEL_NAMES: readonly string[] = Object.keys(referenceKernels(new ReferenceMemory()));
