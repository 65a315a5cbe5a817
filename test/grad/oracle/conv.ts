/**
 * Float64 Conv2D and Conv2DTranspose with their adjoints (../shared/conformance/SEMANTICS.md §1, §2):
 * a convolution's input gradient as a gather over the output positions that read each input pixel
 * (a transposed convolution of dy), a transposed convolution's as a convolution of dy.
 */
import { channelSums, type OracleOp } from './op.js';
import type { Val } from './values.js';

// ---------------------------------------------------------------------------------------------
// Conv2D (cross-correlation, kernel (kh, kw, in, filters)); SEMANTICS §2.

export interface ConvAxis {
  out: number;
  /** Zero rows before the first input row. */
  padBefore: number;
}

/** Output length and leading pad of a Conv2D axis (valid: floor((n − ke)/s) + 1; same: ceil(n/s), extra pad at the end). */
export function convAxis(n: number, k: number, s: number, d: number, padding: 'valid' | 'same'): ConvAxis {
  const ke = (k - 1) * d + 1;
  if (padding === 'valid') return { out: Math.floor((n - ke) / s) + 1, padBefore: 0 };
  const out = Math.ceil(n / s);
  const total = Math.max((out - 1) * s + ke - n, 0);
  return { out, padBefore: Math.floor(total / 2) };
}

export interface ConvGeometry {
  kernel: readonly [number, number];
  strides: readonly [number, number];
  dilation: readonly [number, number];
  padding: 'valid' | 'same';
}

export function conv2d(filters: number, g: ConvGeometry, useBias: boolean): OracleOp {
  const [kh, kw] = g.kernel;
  const [sh, sw] = g.strides;
  const [dh, dw] = g.dilation;
  const geometry = (x: Val) => {
    const [B, H, W, C] = x.shape;
    const ay = convAxis(H, kh, sh, dh, g.padding);
    const ax = convAxis(W, kw, sw, dw, g.padding);
    return { B, H, W, C, OH: ay.out, OW: ax.out, pt: ay.padBefore, pl: ax.padBefore };
  };
  return {
    name: `conv2d(${filters}, k${g.kernel}, s${g.strides}, d${g.dilation}, ${g.padding})`,
    forward([x], [K, b]) {
      const { B, H, W, C, OH, OW, pt, pl } = geometry(x);
      if (OH < 1 || OW < 1) throw new Error('oracle: empty conv2d output');
      const y = new Float64Array(B * OH * OW * filters);
      for (let n = 0; n < B; n++) {
        for (let oy = 0; oy < OH; oy++) {
          for (let ox = 0; ox < OW; ox++) {
            for (let f = 0; f < filters; f++) {
              let s = useBias ? b[f] : 0;
              for (let a = 0; a < kh; a++) {
                const iy = oy * sh + a * dh - pt;
                if (iy < 0 || iy >= H) continue;
                for (let c2 = 0; c2 < kw; c2++) {
                  const ix = ox * sw + c2 * dw - pl;
                  if (ix < 0 || ix >= W) continue;
                  for (let c = 0; c < C; c++) s += x.data[((n * H + iy) * W + ix) * C + c] * K[((a * kw + c2) * C + c) * filters + f];
                }
              }
              y[((n * OH + oy) * OW + ox) * filters + f] = s;
            }
          }
        }
      }
      return { data: y, shape: [B, OH, OW, filters] };
    },
    backward([x], [K], _out, dy) {
      const { B, H, W, C, OH, OW, pt, pl } = geometry(x);
      const at = (n: number, oy: number, ox: number, f: number) => dy[((n * OH + oy) * OW + ox) * filters + f];
      // dx[iy, ix] gathers the outputs oy with oy·s + a·d − pad = iy (the transposed convolution of dy)
      const dx = new Float64Array(x.data.length);
      for (let n = 0; n < B; n++) {
        for (let iy = 0; iy < H; iy++) {
          for (let ix = 0; ix < W; ix++) {
            for (let c = 0; c < C; c++) {
              let s = 0;
              for (let a = 0; a < kh; a++) {
                const ny = iy + pt - a * dh;
                if (ny < 0 || ny % sh !== 0 || ny / sh >= OH) continue;
                for (let c2 = 0; c2 < kw; c2++) {
                  const nx = ix + pl - c2 * dw;
                  if (nx < 0 || nx % sw !== 0 || nx / sw >= OW) continue;
                  for (let f = 0; f < filters; f++) s += at(n, ny / sh, nx / sw, f) * K[((a * kw + c2) * C + c) * filters + f];
                }
              }
              dx[((n * H + iy) * W + ix) * C + c] = s;
            }
          }
        }
      }
      // dK[a, c2, c, f] = Σ over outputs of dy · the input pixel tap (a, c2) read
      const dK = new Float64Array(kh * kw * C * filters);
      for (let a = 0; a < kh; a++) {
        for (let c2 = 0; c2 < kw; c2++) {
          for (let c = 0; c < C; c++) {
            for (let f = 0; f < filters; f++) {
              let s = 0;
              for (let n = 0; n < B; n++) {
                for (let oy = 0; oy < OH; oy++) {
                  const iy = oy * sh + a * dh - pt;
                  if (iy < 0 || iy >= H) continue;
                  for (let ox = 0; ox < OW; ox++) {
                    const ix = ox * sw + c2 * dw - pl;
                    if (ix >= 0 && ix < W) s += x.data[((n * H + iy) * W + ix) * C + c] * at(n, oy, ox, f);
                  }
                }
              }
              dK[((a * kw + c2) * C + c) * filters + f] = s;
            }
          }
        }
      }
      return { dInputs: [dx], dParams: useBias ? [dK, channelSums(dy, filters)] : [dK] };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Conv2DTranspose (kernel (kh, kw, filters, in)); SEMANTICS §1.

export interface DeconvAxis {
  out: number;
  /** Where the output window starts in the full scatter output (ke − 1 − lo). */
  cropStart: number;
}

/** §1.2 output length and §1.3 padding (lo = min(ceil(total/2), ke − 1)) of one axis. */
export function deconvAxis(n: number, k: number, s: number, d: number, padding: 'valid' | 'same', op: number | null): DeconvAxis {
  const ke = (k - 1) * d + 1;
  if (padding === 'valid') {
    return { out: op === null ? (n - 1) * s + ke + Math.max(s - ke, 0) : (n - 1) * s + ke + op, cropStart: 0 };
  }
  const total = op === null ? s + ke - 2 : ke + (ke % 2) - 2 + op;
  const lo = Math.min(Math.ceil(total / 2), ke - 1);
  return { out: op === null ? n * s : (n - 1) * s + (ke % 2) + op, cropStart: ke - 1 - lo };
}

export function conv2dTranspose(filters: number, g: ConvGeometry, outputPadding: readonly [number, number] | null, useBias: boolean): OracleOp {
  const [kh, kw] = g.kernel;
  const [sh, sw] = g.strides;
  const [dh, dw] = g.dilation;
  const geometry = (x: Val) => {
    const [B, H, W, C] = x.shape;
    const ay = deconvAxis(H, kh, sh, dh, g.padding, outputPadding ? outputPadding[0] : null);
    const ax = deconvAxis(W, kw, sw, dw, g.padding, outputPadding ? outputPadding[1] : null);
    return { B, H, W, C, OH: ay.out, OW: ax.out, ct: ay.cropStart, cl: ax.cropStart };
  };
  return {
    name: `conv2dTranspose(${filters}, k${g.kernel}, s${g.strides}, d${g.dilation}, ${g.padding}, op${outputPadding})`,
    // scatter view: input pixel i adds x[i]·K[a] to full position i·s + a·d; the output is the
    // window from cropStart, zeros past the full output, bias everywhere
    forward([x], [K, b]) {
      const { B, H, W, C, OH, OW, ct, cl } = geometry(x);
      const y = new Float64Array(B * OH * OW * filters);
      if (useBias) for (let i = 0; i < y.length; i++) y[i] = b[i % filters];
      for (let n = 0; n < B; n++) {
        for (let i = 0; i < H; i++) {
          for (let j = 0; j < W; j++) {
            for (let a = 0; a < kh; a++) {
              const Y = i * sh + a * dh - ct;
              if (Y < 0 || Y >= OH) continue;
              for (let a2 = 0; a2 < kw; a2++) {
                const X = j * sw + a2 * dw - cl;
                if (X < 0 || X >= OW) continue;
                for (let f = 0; f < filters; f++) {
                  let s = 0;
                  for (let c = 0; c < C; c++) s += x.data[((n * H + i) * W + j) * C + c] * K[((a * kw + a2) * filters + f) * C + c];
                  y[((n * OH + Y) * OW + X) * filters + f] += s;
                }
              }
            }
          }
        }
      }
      return { data: y, shape: [B, OH, OW, filters] };
    },
    // the adjoint: dx is a (strided, dilated) correlation of dy with the kernel, dK gathers x·dy
    backward([x], [K], _out, dy) {
      const { B, H, W, C, OH, OW, ct, cl } = geometry(x);
      const dx = new Float64Array(x.data.length);
      const dK = new Float64Array(kh * kw * filters * C);
      for (let n = 0; n < B; n++) {
        for (let i = 0; i < H; i++) {
          for (let j = 0; j < W; j++) {
            for (let a = 0; a < kh; a++) {
              const Y = i * sh + a * dh - ct;
              if (Y < 0 || Y >= OH) continue;
              for (let a2 = 0; a2 < kw; a2++) {
                const X = j * sw + a2 * dw - cl;
                if (X < 0 || X >= OW) continue;
                for (let c = 0; c < C; c++) {
                  const xv = x.data[((n * H + i) * W + j) * C + c];
                  let s = 0;
                  for (let f = 0; f < filters; f++) {
                    const g2 = dy[((n * OH + Y) * OW + X) * filters + f];
                    s += g2 * K[((a * kw + a2) * filters + f) * C + c];
                    dK[((a * kw + a2) * filters + f) * C + c] += xv * g2;
                  }
                  dx[((n * H + i) * W + j) * C + c] += s;
                }
              }
            }
          }
        }
      }
      return { dInputs: [dx], dParams: useBias ? [dK, channelSums(dy, filters)] : [dK] };
    },
  };
}
