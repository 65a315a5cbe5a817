/** Typed views of a reference memory, re-made when the memory grows. */
export interface RefViews {
  f32: Float32Array;
  u32: Uint32Array;
  /** Re-reads the views if the buffer was replaced; call at the top of every kernel. */
  refresh(): void;
}
