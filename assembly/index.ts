// The module's only export surface: raw-pointer kernels (usize/i32/f32 arguments) and heapBase.
// The linear memory is exported as `memory`; JS grows it with memory.grow.
export { igemm } from "./gemm";
export { idot } from "./dot";
export { scaleShift, activation, softmax, softmaxStrided, reluClip, firstNonFinite } from "./elementwise";
export { resizeNearest } from "./resize_nearest";
export { resizeBilinear } from "./resize_bilinear";
export { resample, resampleGrad } from "./resample";
export { depthwise } from "./depthwise";
export { moments } from "./moments";
export { normFold, normApply, layerNormApply, pixelNorm } from "./norm";
export { broadcast } from "./broadcast";
export { copyStrided, pad2d } from "./copy";
export { gatherRows } from "./gather";

/** First byte past static data, rounded up to 16: where the JS arena may start. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}

/** Which build this is: 2 relaxed SIMD, 1 SIMD, 0 scalar (the JS side reports it by name). */
export function flavour(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 2 : ASC_FEATURE_SIMD ? 1 : 0;
}
export {
  igemmWeightGrad, columnSum, activationGrad, softmaxGrad, reluClipGrad, resizeNearestGrad, resizeBilinearGrad,
  channelMoments, bnGradReduce, bnGradApply, accumulate, mulMask, dropoutMask,
} from "./grad";
export { adamUpdate, sgdUpdate, rmspropUpdate } from "./optim";
export { broadcastGrad, pad2dGrad, scatterAddRows, fillZero, normalNoise } from "./shape_grad";
