import { Act, type Backend, type KernelMemory, type Kernels, PANEL, panelFloats } from './kernels.js';

/**
 * The plain-TypeScript backend: the same kernels as assembly/, written as readable scalar loops
 * over an ArrayBuffer. It is the test oracle, the fallback where WebAssembly is missing, and the
 * "pure JS" side of the benchmarks.
 */

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

/** erf by its Maclaurin series near 0 and the continued fraction of erfc further out (f64). */
function erf(x: number): number {
  const z = Math.abs(x);
  let r: number;
  if (z < 2.5) {
    let term = z;
    let sum = z;
    for (let n = 1; n < 60; n++) {
      term *= (-z * z) / n;
      sum += term / (2 * n + 1);
    }
    r = (2 / Math.sqrt(Math.PI)) * sum;
  } else {
    let f = 0;
    for (let n = 60; n >= 1; n--) f = (n / 2) / (z + f);
    r = 1 - Math.exp(-z * z) / Math.sqrt(Math.PI) / (z + f);
  }
  return x < 0 ? -r : r;
}

function applyAct(v: number, act: Act, alpha: number): number {
  switch (act) {
    case Act.Relu: return v > 0 ? v : 0;
    case Act.Sigmoid: return 1 / (1 + Math.exp(-v));
    case Act.Tanh: return Math.tanh(v);
    case Act.LeakyRelu: return v >= 0 ? v : alpha * v;
    case Act.Elu: return v > 0 ? v : alpha * Math.expm1(v);
    case Act.Selu: return SELU_SCALE * (v > 0 ? v : SELU_ALPHA * Math.expm1(v));
    case Act.Softplus: return Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
    case Act.Softsign: return v / (1 + Math.abs(v));
    case Act.Swish: return v / (1 + Math.exp(-v));
    case Act.Gelu: return 0.5 * v * (1 + erf(v / Math.SQRT2));
    case Act.HardSigmoid: return Math.min(1, Math.max(0, alpha * v + 0.5));
    case Act.Relu6: return Math.min(6, Math.max(0, v));
    case Act.Exponential: return Math.exp(v);
    default: return v;
  }
}

function fusable(act: Act): Act {
  return act === Act.Relu || act === Act.LeakyRelu ? act : Act.Linear;
}

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
  let f32 = new Float32Array(memory.buffer);
  let u32 = new Uint32Array(memory.buffer);
  const views = () => {
    if (f32.buffer !== memory.buffer) {
      f32 = new Float32Array(memory.buffer);
      u32 = new Uint32Array(memory.buffer);
    }
  };
  return {
    igemm(M, T, K, N, inPtrs, outPtrs, packedW, act, alpha) {
      views();
      const a = fusable(act);
      const stride = panelFloats(T, K);
      for (let m = 0; m < M; m++) {
        const out = u32[(outPtrs >>> 2) + m] >>> 2;
        for (let n = 0; n < N; n++) {
          const panel = (packedW >>> 2) + Math.floor(n / PANEL) * stride;
          const lane = n % PANEL;
          let acc = f32[panel + lane];
          for (let t = 0; t < T; t++) {
            const row = u32[(inPtrs >>> 2) + m * T + t] >>> 2;
            const w = panel + PANEL + t * K * PANEL + lane;
            for (let k = 0; k < K; k++) acc += f32[row + k] * f32[w + k * PANEL];
          }
          f32[out + n] = applyAct(acc, a, alpha);
        }
      }
    },

    idot(M, T, K, N, inPtrs, outPtrs, packedW, act, alpha) {
      views();
      const a = fusable(act);
      const chan = 4 + T * K;
      for (let m = 0; m < M; m++) {
        const out = u32[(outPtrs >>> 2) + m] >>> 2;
        for (let n = 0; n < N; n++) {
          const w = (packedW >>> 2) + n * chan;
          let acc = f32[w];
          for (let t = 0; t < T; t++) {
            const row = u32[(inPtrs >>> 2) + m * T + t] >>> 2;
            for (let k = 0; k < K; k++) acc += f32[row + k] * f32[w + 4 + t * K + k];
          }
          f32[out + n] = applyAct(acc, a, alpha);
        }
      }
    },

    scaleShift(x, out, rows, C, scale, shift, act, alpha) {
      views();
      const a = fusable(act);
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < C; c++) {
          const i = r * C + c;
          f32[(out >>> 2) + i] = applyAct(f32[(x >>> 2) + i] * f32[(scale >>> 2) + c] + f32[(shift >>> 2) + c], a, alpha);
        }
      }
    },

    activation(x, out, count, act, alpha) {
      views();
      for (let i = 0; i < count; i++) f32[(out >>> 2) + i] = applyAct(f32[(x >>> 2) + i], act, alpha);
    },

    firstNonFinite(x, count) {
      views();
      for (let i = 0; i < count; i++) if (!Number.isFinite(f32[(x >>> 2) + i])) return i;
      return -1;
    },

    softmax(x, out, rows, C) {
      views();
      for (let r = 0; r < rows; r++) {
        const a = (x >>> 2) + r * C;
        const b = (out >>> 2) + r * C;
        let max = -Infinity;
        for (let c = 0; c < C; c++) max = Math.max(max, f32[a + c]);
        let sum = 0;
        for (let c = 0; c < C; c++) {
          const e = Math.exp(f32[a + c] - max);
          f32[b + c] = e;
          sum += e;
        }
        for (let c = 0; c < C; c++) f32[b + c] /= sum;
      }
    },

    softmaxStrided(x, out, outer, C, inner) {
      views();
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          const a = (x >>> 2) + o * C * inner + i;
          const b = (out >>> 2) + o * C * inner + i;
          let max = -Infinity;
          for (let c = 0; c < C; c++) max = Math.max(max, f32[a + c * inner]);
          let sum = 0;
          for (let c = 0; c < C; c++) {
            const e = Math.fround(Math.exp(f32[a + c * inner] - max));
            f32[b + c * inner] = e;
            sum = Math.fround(sum + e);
          }
          for (let c = 0; c < C; c++) f32[b + c * inner] /= sum;
        }
      }
    },

    reluClip(x, out, count, slope, maxValue, threshold) {
      views();
      const s = Math.fround(slope);
      const m = Math.fround(maxValue);
      const t = Math.fround(threshold);
      for (let i = 0; i < count; i++) {
        const v = f32[(x >>> 2) + i];
        f32[(out >>> 2) + i] = v > t ? Math.min(v, m) : s * Math.fround(v - t);
      }
    },

    resizeNearest(x, out, N, H, W, C, fh, fw) {
      views();
      const OH = H * fh;
      const OW = W * fw;
      for (let n = 0; n < N; n++) {
        for (let y = 0; y < OH; y++) {
          for (let xx = 0; xx < OW; xx++) {
            const src = (x >>> 2) + ((n * H + Math.floor(y / fh)) * W + Math.floor(xx / fw)) * C;
            const dst = (out >>> 2) + ((n * OH + y) * OW + xx) * C;
            for (let c = 0; c < C; c++) f32[dst + c] = f32[src + c];
          }
        }
      }
    },

    resizeBilinear(x, out, N, H, W, C, OH, OW, yTab, xTab) {
      views();
      for (let n = 0; n < N; n++) {
        for (let y = 0; y < OH; y++) {
          const ye = (yTab >>> 2) + 3 * y;
          const y0 = u32[ye];
          const y1 = u32[ye + 1];
          const wy = f32[ye + 2];
          for (let xx = 0; xx < OW; xx++) {
            const xe = (xTab >>> 2) + 3 * xx;
            const x0 = u32[xe];
            const x1 = u32[xe + 1];
            const wx = f32[xe + 2];
            const row0 = (x >>> 2) + (n * H + y0) * W * C;
            const row1 = (x >>> 2) + (n * H + y1) * W * C;
            const dst = (out >>> 2) + ((n * OH + y) * OW + xx) * C;
            for (let c = 0; c < C; c++) {
              const tl = f32[row0 + x0 * C + c];
              const tr = f32[row0 + x1 * C + c];
              const bl = f32[row1 + x0 * C + c];
              const br = f32[row1 + x1 * C + c];
              const top = tl + (tr - tl) * wx;
              const bottom = bl + (br - bl) * wx;
              f32[dst + c] = top + (bottom - top) * wy;
            }
          }
        }
      }
    },
  };
}

export const referenceBackend: Backend = {
  name: 'js',
  createMemory() {
    const memory = new ReferenceMemory();
    return { memory, kernels: referenceKernels(memory) };
  },
};
