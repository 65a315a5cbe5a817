/** Row gathers (Embedding) (assembly/gather.ts; reference/gather.ts). */
export interface GatherKernels {
  /**
   * For k < count: id = trunc(ids[k]) (float ids, cast as tf.cast does); copies row id of the
   * V × D table at `table` to out + 4·k·D. Every id is checked first: returns the index of the
   * first ids[k] outside (−1, V) (NaN included) without writing anything, else −1.
   */
  gatherRows(ids: number, table: number, out: number, count: number, V: number, D: number): number;
}
