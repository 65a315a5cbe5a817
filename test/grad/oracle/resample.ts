/**
 * UpSampling2D with TensorFlow's other interpolations (bicubic, area, lanczos3/5, gaussian,
 * mitchellcubic): the forward is test/util/naive_resize.ts (transcribed from TensorFlow's C++,
 * float64 pixel arithmetic); the resize is linear in x, so the backward is the transpose of that
 * map, read off column by column from the forward of unit inputs (one sample at a time: the map is
 * the same for every sample). Nothing here comes from upconv's tables or kernels.
 */
import { type TfMethod, tfUpSampling2d } from '../../util/naive_resize.js';
import type { OracleOp } from './op.js';

export function tfUpSampling(size2: readonly [number, number], method: TfMethod): OracleOp {
  return {
    name: `upSampling(${size2}, ${method})`,
    forward([x]) {
      const r = tfUpSampling2d(x.data, x.shape, size2, method);
      return { data: r.data, shape: r.shape };
    },
    backward([x], _p, _out, dy) {
      const [B, H, W, C] = x.shape;
      const n = H * W * C;
      const m = H * size2[0] * W * size2[1] * C;
      const dx = new Float64Array(x.data.length);
      const unit = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        unit.fill(0);
        unit[i] = 1;
        const col = tfUpSampling2d(unit, [1, H, W, C], size2, method).data;
        for (let b = 0; b < B; b++) {
          let s = 0;
          for (let j = 0; j < m; j++) s += col[j] * dy[b * m + j];
          dx[b * n + i] = s;
        }
      }
      return { dInputs: [dx], dParams: [] };
    },
  };
}
