// Embedding: rows of a V x D table picked by float ids (truncated, as tf.cast does).
import { copyRun } from "./copy";

/**
 * gatherRows: checks every id first (returns the index of the first one outside (-1, V), NaN
 * included, having written nothing), then copies row trunc(ids[k]) to out + 4·k·D; returns -1.
 */
export function gatherRows(ids: usize, table: usize, out: usize, count: i32, V: i32, D: i32): i32 {
  const limit = <f32>V;
  for (let k = 0; k < count; k++) {
    const id = load<f32>(ids + (<usize>k << 2));
    if (!(id > <f32>-1 && id < limit)) return k;
  }
  const rowBytes = <usize>D << 2;
  for (let k = 0; k < count; k++) {
    const row = <usize><u32><i32>load<f32>(ids + (<usize>k << 2)); // in [0, V) after the check
    copyRun(out + <usize>k * rowBytes, table + row * rowBytes, rowBytes);
  }
  return -1;
}
