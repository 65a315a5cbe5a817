/**
 * Float64 DepthwiseConv2D and SeparableConv2D with their adjoints (../shared/conformance/SEMANTICS.md:
 * Conv2D's geometry; depthwise_kernel (kh, kw, C, M), output channel c·M + m reads input channel
 * c; SeparableConv2D = depthwise without bias, then a 1×1 convolution with pointwise_kernel
 * (1, 1, C·M, filters) and the bias). The input gradient is the gather over the output positions
 * that read each input pixel; the kernel gradient sums x·dy over the output positions.
 */
import { convAxis, type ConvGeometry } from './conv.js';
import { channelSums, type OracleOp } from './op.js';
import type { Val } from './values.js';

interface Geo {
  B: number; H: number; W: number; C: number; OH: number; OW: number; pt: number; pl: number;
}

function geometryOf(x: Val, g: ConvGeometry): Geo {
  const [B, H, W, C] = x.shape;
  const ay = convAxis(H, g.kernel[0], g.strides[0], g.dilation[0], g.padding);
  const ax = convAxis(W, g.kernel[1], g.strides[1], g.dilation[1], g.padding);
  return { B, H, W, C, OH: ay.out, OW: ax.out, pt: ay.padBefore, pl: ax.padBefore };
}

/** y[n, oy, ox, c·M + m] = Σ_{a, b} x[n, oy·s + a·d − pad, …, c] · K[a, b, c, m] (+ bias). */
function depthwiseForward(x: Val, K: Float64Array, bias: Float64Array | null, M: number, g: ConvGeometry): Val {
  const { B, H, W, C, OH, OW, pt, pl } = geometryOf(x, g);
  if (OH < 1 || OW < 1) throw new Error('oracle: empty depthwise output');
  const [kh, kw] = g.kernel;
  const J = C * M;
  const y = new Float64Array(B * OH * OW * J);
  for (let n = 0; n < B; n++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        for (let c = 0; c < C; c++) {
          for (let m = 0; m < M; m++) {
            let s = bias ? bias[c * M + m] : 0;
            for (let a = 0; a < kh; a++) {
              const iy = oy * g.strides[0] + a * g.dilation[0] - pt;
              if (iy < 0 || iy >= H) continue;
              for (let b = 0; b < kw; b++) {
                const ix = ox * g.strides[1] + b * g.dilation[1] - pl;
                if (ix < 0 || ix >= W) continue;
                s += x.data[((n * H + iy) * W + ix) * C + c] * K[((a * kw + b) * C + c) * M + m];
              }
            }
            y[((n * OH + oy) * OW + ox) * J + c * M + m] = s;
          }
        }
      }
    }
  }
  return { data: y, shape: [B, OH, OW, J] };
}

/** dx (gathered) and dK of the depthwise convolution for dy. */
function depthwiseBackward(x: Val, K: Float64Array, M: number, g: ConvGeometry, dy: Float64Array): { dx: Float64Array; dK: Float64Array } {
  const { B, H, W, C, OH, OW, pt, pl } = geometryOf(x, g);
  const [kh, kw] = g.kernel;
  const [sh, sw] = g.strides;
  const [dh, dw] = g.dilation;
  const J = C * M;
  const at = (n: number, oy: number, ox: number, j: number) => dy[((n * OH + oy) * OW + ox) * J + j];
  const dx = new Float64Array(x.data.length);
  for (let n = 0; n < B; n++) {
    for (let iy = 0; iy < H; iy++) {
      for (let ix = 0; ix < W; ix++) {
        for (let c = 0; c < C; c++) {
          let s = 0;
          for (let a = 0; a < kh; a++) {
            const ny = iy + pt - a * dh;
            if (ny < 0 || ny % sh !== 0 || ny / sh >= OH) continue;
            for (let b = 0; b < kw; b++) {
              const nx = ix + pl - b * dw;
              if (nx < 0 || nx % sw !== 0 || nx / sw >= OW) continue;
              for (let m = 0; m < M; m++) s += at(n, ny / sh, nx / sw, c * M + m) * K[((a * kw + b) * C + c) * M + m];
            }
          }
          dx[((n * H + iy) * W + ix) * C + c] = s;
        }
      }
    }
  }
  const dK = new Float64Array(kh * kw * C * M);
  for (let a = 0; a < kh; a++) {
    for (let b = 0; b < kw; b++) {
      for (let c = 0; c < C; c++) {
        for (let m = 0; m < M; m++) {
          let s = 0;
          for (let n = 0; n < B; n++) {
            for (let oy = 0; oy < OH; oy++) {
              const iy = oy * sh + a * dh - pt;
              if (iy < 0 || iy >= H) continue;
              for (let ox = 0; ox < OW; ox++) {
                const ix = ox * sw + b * dw - pl;
                if (ix >= 0 && ix < W) s += x.data[((n * H + iy) * W + ix) * C + c] * at(n, oy, ox, c * M + m);
              }
            }
          }
          dK[((a * kw + b) * C + c) * M + m] = s;
        }
      }
    }
  }
  return { dx, dK };
}

/** DepthwiseConv2D(kernel, strides, padding, depth_multiplier M, dilation); params [depthwise_kernel, bias?]. */
export function depthwiseConv2d(M: number, g: ConvGeometry, useBias: boolean): OracleOp {
  return {
    name: `depthwiseConv2d(M${M}, k${g.kernel}, s${g.strides}, d${g.dilation}, ${g.padding})`,
    forward([x], [K, b]) {
      return depthwiseForward(x, K, useBias ? b : null, M, g);
    },
    backward([x], [K], _out, dy) {
      const { dx, dK } = depthwiseBackward(x, K, M, g, dy);
      return { dInputs: [dx], dParams: useBias ? [dK, channelSums(dy, x.shape[3] * M)] : [dK] };
    },
  };
}

/** SeparableConv2D: params [depthwise_kernel, pointwise_kernel (1, 1, C·M, filters), bias?]. */
export function separableConv2d(filters: number, M: number, g: ConvGeometry, useBias: boolean): OracleOp {
  const pointwise = (h: Val, P: Float64Array, b: Float64Array | null): Val => {
    const J = h.shape[3];
    const rows = h.data.length / J;
    const y = new Float64Array(rows * filters);
    for (let r = 0; r < rows; r++) {
      for (let f = 0; f < filters; f++) {
        let s = b ? b[f] : 0;
        for (let j = 0; j < J; j++) s += h.data[r * J + j] * P[j * filters + f];
        y[r * filters + f] = s;
      }
    }
    return { data: y, shape: [...h.shape.slice(0, 3), filters] };
  };
  return {
    name: `separableConv2d(${filters}, M${M}, k${g.kernel}, s${g.strides}, d${g.dilation}, ${g.padding})`,
    forward([x], [K, P, b]) {
      return pointwise(depthwiseForward(x, K, null, M, g), P, useBias ? b : null);
    },
    backward([x], [K, P], _out, dy) {
      const h = depthwiseForward(x, K, null, M, g);
      const J = h.shape[3];
      const rows = h.data.length / J;
      const dh = new Float64Array(h.data.length);
      const dP = new Float64Array(J * filters);
      for (let r = 0; r < rows; r++) {
        for (let f = 0; f < filters; f++) {
          const gv = dy[r * filters + f];
          for (let j = 0; j < J; j++) {
            dh[r * J + j] += gv * P[j * filters + f];
            dP[j * filters + f] += h.data[r * J + j] * gv;
          }
        }
      }
      const { dx, dK } = depthwiseBackward(x, K, M, g, dh);
      return { dInputs: [dx], dParams: useBias ? [dK, dP, channelSums(dy, filters)] : [dK, dP] };
    },
  };
}
