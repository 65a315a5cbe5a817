import type { Kernels } from '../kernels.js';
import type { RefViews } from './views.js';

/** Embedding row gather with the id check. */
export function gatherKernels(v: RefViews): Pick<Kernels, 'gatherRows'> {
  return {
    gatherRows(ids, table, out, count, V, D) {
      v.refresh();
      const { f32 } = v;
      for (let k = 0; k < count; k++) {
        const id = f32[(ids >>> 2) + k];
        if (!(id > -1 && id < V)) return k;
      }
      for (let k = 0; k < count; k++) {
        const row = Math.trunc(f32[(ids >>> 2) + k]);
        const from = (table >>> 2) + row * D;
        const to = (out >>> 2) + k * D;
        for (let d = 0; d < D; d++) f32[to + d] = f32[from + d];
      }
      return -1;
    },
  };
}
