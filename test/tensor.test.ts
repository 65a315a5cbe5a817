import { describe, expect, it } from 'vitest';
import { ShapeError, Tensor, tensor, UpconvError } from '../bindings/index.js';

/**
 * tensor() construction, reshape, toArray and the numpy-like toString() (DESIGN.md §1).
 * Every expected string below is numpy's own `str(np.array(values, dtype=np.float32))`, produced
 * with numpy 2.4.6 (array2string defaults: precision 8, floatmode 'maxprec', linewidth 75,
 * threshold 1000, edgeitems 3).
 */

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('tensor() construction', () => {
  it('takes a Float32Array as is (no copy), flat shape by default', () => {
    const data = Float32Array.of(1, 2, 3, 4, 5, 6);
    const t = tensor(data);
    expect(t).toBeInstanceOf(Tensor);
    expect(t.shape).toEqual([6]);
    expect(t.data).toBe(data);
  });

  it('takes a Float32Array with a shape (one -1 inferred)', () => {
    const t = tensor(Float32Array.of(1, 2, 3, 4, 5, 6), [2, 3]);
    expect(t.shape).toEqual([2, 3]);
    expect(tensor(Float32Array.of(1, 2, 3, 4, 5, 6), [-1, 2]).shape).toEqual([3, 2]);
  });

  it('takes a flat number array, with or without a shape', () => {
    const t = tensor([1, 2, 3, 4]);
    expect(t.shape).toEqual([4]);
    expect(t.data).toBeInstanceOf(Float32Array);
    expect(Array.from(t.data)).toEqual([1, 2, 3, 4]);
    const u = tensor([1, 2, 3, 4], [1, 2, 2, 1]);
    expect(u.shape).toEqual([1, 2, 2, 1]);
    expect(Array.from(u.data)).toEqual([1, 2, 3, 4]);
  });

  it('rounds numbers to float32', () => {
    const t = tensor([0.1, 1 / 3]);
    expect(t.data[0]).toBe(Math.fround(0.1));
    expect(t.data[1]).toBe(Math.fround(1 / 3));
  });

  it('infers the shape from nested arrays (row-major)', () => {
    const t = tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]], [[9, 10], [11, 12]]]);
    expect(t.shape).toEqual([3, 2, 2]);
    expect(Array.from(t.data)).toEqual(range(12).map((i) => i + 1));
    const img = tensor([[[[1], [2]], [[3], [4]]]]);
    expect(img.shape).toEqual([1, 2, 2, 1]);
    expect(Array.from(img.data)).toEqual([1, 2, 3, 4]);
  });

  it('nested arrays with an explicit shape are reshaped', () => {
    const t = tensor([[1, 2], [3, 4]], [4]);
    expect(t.shape).toEqual([4]);
    expect(Array.from(t.data)).toEqual([1, 2, 3, 4]);
  });

  it('a single number is a scalar (rank 0)', () => {
    const t = tensor(2.5);
    expect(t.shape).toEqual([]);
    expect(t.data.length).toBe(1);
    expect(t.toArray()).toBe(2.5);
  });

  it('empty arrays have size 0', () => {
    expect(tensor([]).shape).toEqual([0]);
    expect(tensor(new Float32Array(0), [2, 0]).shape).toEqual([2, 0]);
    expect(tensor(new Float32Array(0), [2, 0]).toArray()).toEqual([[], []]);
  });

  it('rejects ragged nested arrays', () => {
    for (const bad of [[[1, 2], [3]], [[1, 2], 3], [[[1, 2], [3, 4]], [[5, 6]]], [[1], [2, 3]]]) {
      const e = catchError(() => tensor(bad as number[][]));
      expect(e).toBeInstanceOf(ShapeError);
      expect(e).toBeInstanceOf(UpconvError);
      expect((e as Error).message).toMatch(/ragged/);
    }
  });

  it('rejects a shape that does not hold the data', () => {
    const e = catchError(() => tensor([1, 2, 3], [2, 2]));
    expect(e).toBeInstanceOf(ShapeError);
    expect((e as Error).message).toMatch(/3/);
    expect(catchError(() => tensor(Float32Array.of(1, 2, 3, 4, 5), [2, -1]))).toBeInstanceOf(ShapeError);
    expect(catchError(() => tensor([1, 2, 3, 4], [2, 2.5]))).toBeInstanceOf(ShapeError);
    expect(catchError(() => new Tensor(new Float32Array(3), [2, 2]))).toBeInstanceOf(ShapeError);
  });

  it('Tensor has shape, data, size and rank', () => {
    const t = tensor(new Float32Array(24), [2, 3, 4]);
    expect(t.size).toBe(24);
    expect(t.rank).toBe(3);
  });
});

describe('reshape', () => {
  const t = tensor(Float32Array.from(range(24)), [2, 3, 4]);

  it('shares the data and changes the shape', () => {
    const r = t.reshape([6, 4]);
    expect(r.shape).toEqual([6, 4]);
    expect(r.data).toBe(t.data);
    expect(t.shape).toEqual([2, 3, 4]);
  });

  it('infers one -1 anywhere', () => {
    expect(t.reshape([-1]).shape).toEqual([24]);
    expect(t.reshape([-1, 4]).shape).toEqual([6, 4]);
    expect(t.reshape([2, -1, 3]).shape).toEqual([2, 4, 3]);
    expect(t.reshape([1, 2, 3, 4, -1]).shape).toEqual([1, 2, 3, 4, 1]);
  });

  it('rejects two -1, a wrong size, or a size -1 cannot fill', () => {
    expect(catchError(() => t.reshape([-1, -1]))).toBeInstanceOf(ShapeError);
    expect(catchError(() => t.reshape([5, 5]))).toBeInstanceOf(ShapeError);
    expect(catchError(() => t.reshape([5, -1]))).toBeInstanceOf(ShapeError);
    expect(catchError(() => t.reshape([0, -1]))).toBeInstanceOf(ShapeError);
  });
});

describe('toArray', () => {
  it('nests like numpy tolist()', () => {
    expect(tensor([1, 2, 3]).toArray()).toEqual([1, 2, 3]);
    expect(tensor([1, 2, 3, 4, 5, 6], [2, 3]).toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(tensor([1, 2, 3, 4], [1, 2, 2, 1]).toArray()).toEqual([[[[1], [2]], [[3], [4]]]]);
    expect(tensor(range(8), [2, 1, 4]).toArray()).toEqual([[[0, 1, 2, 3]], [[4, 5, 6, 7]]]);
  });

  it('round-trips through tensor()', () => {
    const nested = [[[0.5, -1], [2, 3.25]], [[4, 5], [6, -7.5]]];
    expect(tensor(nested).toArray()).toEqual(nested);
  });

  it('gives float32 values', () => {
    expect(tensor([0.1]).toArray()).toEqual([Math.fround(0.1)]);
  });
});

interface PrintCase {
  name: string;
  values: number[] | number[][] | number[][][];
  shape?: number[];
  expected: string;
}

const PRINT_CASES: PrintCase[] = [
  { name: "2x2 whole numbers", values: [[1, 2], [3, 4]], expected: "[[1. 2.]\n [3. 4.]]" },
  { name: "tutorial bilinear 4x4", values: [[1, 1.25, 1.75, 2], [1.5, 1.75, 2.25, 2.5], [2.5, 2.75, 3.25, 3.5], [3, 3.25, 3.75, 4]], expected: "[[1.   1.25 1.75 2.  ]\n [1.5  1.75 2.25 2.5 ]\n [2.5  2.75 3.25 3.5 ]\n [3.   3.25 3.75 4.  ]]" },
  { name: "1x4x4x1 NHWC image", values: [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4], shape: [1, 4, 4, 1], expected: "[[[[1.]\n   [1.]\n   [2.]\n   [2.]]\n\n  [[1.]\n   [1.]\n   [2.]\n   [2.]]\n\n  [[3.]\n   [3.]\n   [4.]\n   [4.]]\n\n  [[3.]\n   [3.]\n   [4.]\n   [4.]]]]" },
  { name: "rank 3", values: range(12), shape: [2, 3, 2], expected: "[[[ 0.  1.]\n  [ 2.  3.]\n  [ 4.  5.]]\n\n [[ 6.  7.]\n  [ 8.  9.]\n  [10. 11.]]]" },
  { name: "negative numbers", values: [-1.5, 2, -0.25, 3], expected: "[-1.5   2.   -0.25  3.  ]" },
  { name: "negative matrix", values: [[-1, 0.5], [2, -3.75]], expected: "[[-1.    0.5 ]\n [ 2.   -3.75]]" },
  { name: "negative zero", values: [-0, 1], expected: "[-0.  1.]" },
  { name: "all zeros", values: [0, 0, 0], expected: "[0. 0. 0.]" },
  { name: "float32 shortest digits", values: [1 / 3, 2 / 3, 0.1], expected: "[0.33333334 0.6666667  0.1       ]" },
  { name: "precision 8", values: [0.123456789, 1], expected: "[0.12345679 1.        ]" },
  { name: "mixed signs and fractions", values: [[0.1, -0.2, 0.3], [1.5, 2.25, -3.125]], expected: "[[ 0.1   -0.2    0.3  ]\n [ 1.5    2.25  -3.125]]" },
  { name: "scientific: small value", values: [1e-5, 1], expected: "[1.e-05 1.e+00]" },
  { name: "scientific: 1e-5 and 1e9 with signs", values: [[1e-5, -2.5], [1e9, 3]], expected: "[[ 1.0e-05 -2.5e+00]\n [ 1.0e+09  3.0e+00]]" },
  { name: "scientific: >= 1e8", values: [1e8, 1], expected: "[1.e+08 1.e+00]" },
  { name: "scientific: ratio > 1000", values: [0.5, 1000.5], expected: "[5.0000e-01 1.0005e+03]" },
  { name: "scientific: ratio 2000", values: [0.5, 1000], expected: "[5.e-01 1.e+03]" },
  { name: "positional: ratio exactly 1000", values: [1, 1000], expected: "[   1. 1000.]" },
  { name: "scientific: unique digits padded", values: [0.5, 501], expected: "[5.00e-01 5.01e+02]" },
  { name: "scientific: seven digits", values: [123456.7, 0.5], expected: "[1.234567e+05 5.000000e-01]" },
  { name: "scientific: 1.234e-05", values: [0.00001234, 0.5], expected: "[1.234e-05 5.000e-01]" },
  { name: "long row wraps at 75 columns", values: range(30).map((i) => i * 1.5), expected: "[ 0.   1.5  3.   4.5  6.   7.5  9.  10.5 12.  13.5 15.  16.5 18.  19.5\n 21.  22.5 24.  25.5 27.  28.5 30.  31.5 33.  34.5 36.  37.5 39.  40.5\n 42.  43.5]" },
  { name: "long rows of a matrix wrap with hanging indent", values: range(40).map((i) => i * 0.25 - 3), shape: [2, 20], expected: "[[-3.   -2.75 -2.5  -2.25 -2.   -1.75 -1.5  -1.25 -1.   -0.75 -0.5  -0.25\n   0.    0.25  0.5   0.75  1.    1.25  1.5   1.75]\n [ 2.    2.25  2.5   2.75  3.    3.25  3.5   3.75  4.    4.25  4.5   4.75\n   5.    5.25  5.5   5.75  6.    6.25  6.5   6.75]]" },
  { name: "1001 elements summarised", values: range(1001), expected: "[   0.    1.    2. ...  998.  999. 1000.]" },
  { name: "2000 elements, 2-D, summarised (ratio > 1000 \u2192 scientific)", values: range(2000), shape: [40, 50], expected: "[[0.000e+00 1.000e+00 2.000e+00 ... 4.700e+01 4.800e+01 4.900e+01]\n [5.000e+01 5.100e+01 5.200e+01 ... 9.700e+01 9.800e+01 9.900e+01]\n [1.000e+02 1.010e+02 1.020e+02 ... 1.470e+02 1.480e+02 1.490e+02]\n ...\n [1.850e+03 1.851e+03 1.852e+03 ... 1.897e+03 1.898e+03 1.899e+03]\n [1.900e+03 1.901e+03 1.902e+03 ... 1.947e+03 1.948e+03 1.949e+03]\n [1.950e+03 1.951e+03 1.952e+03 ... 1.997e+03 1.998e+03 1.999e+03]]" },
  { name: "1100 elements, 3-D, summarised", values: range(1100), shape: [10, 10, 11], expected: "[[[0.000e+00 1.000e+00 2.000e+00 ... 8.000e+00 9.000e+00 1.000e+01]\n  [1.100e+01 1.200e+01 1.300e+01 ... 1.900e+01 2.000e+01 2.100e+01]\n  [2.200e+01 2.300e+01 2.400e+01 ... 3.000e+01 3.100e+01 3.200e+01]\n  ...\n  [7.700e+01 7.800e+01 7.900e+01 ... 8.500e+01 8.600e+01 8.700e+01]\n  [8.800e+01 8.900e+01 9.000e+01 ... 9.600e+01 9.700e+01 9.800e+01]\n  [9.900e+01 1.000e+02 1.010e+02 ... 1.070e+02 1.080e+02 1.090e+02]]\n\n [[1.100e+02 1.110e+02 1.120e+02 ... 1.180e+02 1.190e+02 1.200e+02]\n  [1.210e+02 1.220e+02 1.230e+02 ... 1.290e+02 1.300e+02 1.310e+02]\n  [1.320e+02 1.330e+02 1.340e+02 ... 1.400e+02 1.410e+02 1.420e+02]\n  ...\n  [1.870e+02 1.880e+02 1.890e+02 ... 1.950e+02 1.960e+02 1.970e+02]\n  [1.980e+02 1.990e+02 2.000e+02 ... 2.060e+02 2.070e+02 2.080e+02]\n  [2.090e+02 2.100e+02 2.110e+02 ... 2.170e+02 2.180e+02 2.190e+02]]\n\n [[2.200e+02 2.210e+02 2.220e+02 ... 2.280e+02 2.290e+02 2.300e+02]\n  [2.310e+02 2.320e+02 2.330e+02 ... 2.390e+02 2.400e+02 2.410e+02]\n  [2.420e+02 2.430e+02 2.440e+02 ... 2.500e+02 2.510e+02 2.520e+02]\n  ...\n  [2.970e+02 2.980e+02 2.990e+02 ... 3.050e+02 3.060e+02 3.070e+02]\n  [3.080e+02 3.090e+02 3.100e+02 ... 3.160e+02 3.170e+02 3.180e+02]\n  [3.190e+02 3.200e+02 3.210e+02 ... 3.270e+02 3.280e+02 3.290e+02]]\n\n ...\n\n [[7.700e+02 7.710e+02 7.720e+02 ... 7.780e+02 7.790e+02 7.800e+02]\n  [7.810e+02 7.820e+02 7.830e+02 ... 7.890e+02 7.900e+02 7.910e+02]\n  [7.920e+02 7.930e+02 7.940e+02 ... 8.000e+02 8.010e+02 8.020e+02]\n  ...\n  [8.470e+02 8.480e+02 8.490e+02 ... 8.550e+02 8.560e+02 8.570e+02]\n  [8.580e+02 8.590e+02 8.600e+02 ... 8.660e+02 8.670e+02 8.680e+02]\n  [8.690e+02 8.700e+02 8.710e+02 ... 8.770e+02 8.780e+02 8.790e+02]]\n\n [[8.800e+02 8.810e+02 8.820e+02 ... 8.880e+02 8.890e+02 8.900e+02]\n  [8.910e+02 8.920e+02 8.930e+02 ... 8.990e+02 9.000e+02 9.010e+02]\n  [9.020e+02 9.030e+02 9.040e+02 ... 9.100e+02 9.110e+02 9.120e+02]\n  ...\n  [9.570e+02 9.580e+02 9.590e+02 ... 9.650e+02 9.660e+02 9.670e+02]\n  [9.680e+02 9.690e+02 9.700e+02 ... 9.760e+02 9.770e+02 9.780e+02]\n  [9.790e+02 9.800e+02 9.810e+02 ... 9.870e+02 9.880e+02 9.890e+02]]\n\n [[9.900e+02 9.910e+02 9.920e+02 ... 9.980e+02 9.990e+02 1.000e+03]\n  [1.001e+03 1.002e+03 1.003e+03 ... 1.009e+03 1.010e+03 1.011e+03]\n  [1.012e+03 1.013e+03 1.014e+03 ... 1.020e+03 1.021e+03 1.022e+03]\n  ...\n  [1.067e+03 1.068e+03 1.069e+03 ... 1.075e+03 1.076e+03 1.077e+03]\n  [1.078e+03 1.079e+03 1.080e+03 ... 1.086e+03 1.087e+03 1.088e+03]\n  [1.089e+03 1.090e+03 1.091e+03 ... 1.097e+03 1.098e+03 1.099e+03]]]" },
  { name: "1100 elements, 3-D, summarised rows that still wrap", values: range(1100).map((i) => i / 8), shape: [10, 10, 11], expected: "[[[0.00000e+00 1.25000e-01 2.50000e-01 ... 1.00000e+00 1.12500e+00\n   1.25000e+00]\n  [1.37500e+00 1.50000e+00 1.62500e+00 ... 2.37500e+00 2.50000e+00\n   2.62500e+00]\n  [2.75000e+00 2.87500e+00 3.00000e+00 ... 3.75000e+00 3.87500e+00\n   4.00000e+00]\n  ...\n  [9.62500e+00 9.75000e+00 9.87500e+00 ... 1.06250e+01 1.07500e+01\n   1.08750e+01]\n  [1.10000e+01 1.11250e+01 1.12500e+01 ... 1.20000e+01 1.21250e+01\n   1.22500e+01]\n  [1.23750e+01 1.25000e+01 1.26250e+01 ... 1.33750e+01 1.35000e+01\n   1.36250e+01]]\n\n [[1.37500e+01 1.38750e+01 1.40000e+01 ... 1.47500e+01 1.48750e+01\n   1.50000e+01]\n  [1.51250e+01 1.52500e+01 1.53750e+01 ... 1.61250e+01 1.62500e+01\n   1.63750e+01]\n  [1.65000e+01 1.66250e+01 1.67500e+01 ... 1.75000e+01 1.76250e+01\n   1.77500e+01]\n  ...\n  [2.33750e+01 2.35000e+01 2.36250e+01 ... 2.43750e+01 2.45000e+01\n   2.46250e+01]\n  [2.47500e+01 2.48750e+01 2.50000e+01 ... 2.57500e+01 2.58750e+01\n   2.60000e+01]\n  [2.61250e+01 2.62500e+01 2.63750e+01 ... 2.71250e+01 2.72500e+01\n   2.73750e+01]]\n\n [[2.75000e+01 2.76250e+01 2.77500e+01 ... 2.85000e+01 2.86250e+01\n   2.87500e+01]\n  [2.88750e+01 2.90000e+01 2.91250e+01 ... 2.98750e+01 3.00000e+01\n   3.01250e+01]\n  [3.02500e+01 3.03750e+01 3.05000e+01 ... 3.12500e+01 3.13750e+01\n   3.15000e+01]\n  ...\n  [3.71250e+01 3.72500e+01 3.73750e+01 ... 3.81250e+01 3.82500e+01\n   3.83750e+01]\n  [3.85000e+01 3.86250e+01 3.87500e+01 ... 3.95000e+01 3.96250e+01\n   3.97500e+01]\n  [3.98750e+01 4.00000e+01 4.01250e+01 ... 4.08750e+01 4.10000e+01\n   4.11250e+01]]\n\n ...\n\n [[9.62500e+01 9.63750e+01 9.65000e+01 ... 9.72500e+01 9.73750e+01\n   9.75000e+01]\n  [9.76250e+01 9.77500e+01 9.78750e+01 ... 9.86250e+01 9.87500e+01\n   9.88750e+01]\n  [9.90000e+01 9.91250e+01 9.92500e+01 ... 1.00000e+02 1.00125e+02\n   1.00250e+02]\n  ...\n  [1.05875e+02 1.06000e+02 1.06125e+02 ... 1.06875e+02 1.07000e+02\n   1.07125e+02]\n  [1.07250e+02 1.07375e+02 1.07500e+02 ... 1.08250e+02 1.08375e+02\n   1.08500e+02]\n  [1.08625e+02 1.08750e+02 1.08875e+02 ... 1.09625e+02 1.09750e+02\n   1.09875e+02]]\n\n [[1.10000e+02 1.10125e+02 1.10250e+02 ... 1.11000e+02 1.11125e+02\n   1.11250e+02]\n  [1.11375e+02 1.11500e+02 1.11625e+02 ... 1.12375e+02 1.12500e+02\n   1.12625e+02]\n  [1.12750e+02 1.12875e+02 1.13000e+02 ... 1.13750e+02 1.13875e+02\n   1.14000e+02]\n  ...\n  [1.19625e+02 1.19750e+02 1.19875e+02 ... 1.20625e+02 1.20750e+02\n   1.20875e+02]\n  [1.21000e+02 1.21125e+02 1.21250e+02 ... 1.22000e+02 1.22125e+02\n   1.22250e+02]\n  [1.22375e+02 1.22500e+02 1.22625e+02 ... 1.23375e+02 1.23500e+02\n   1.23625e+02]]\n\n [[1.23750e+02 1.23875e+02 1.24000e+02 ... 1.24750e+02 1.24875e+02\n   1.25000e+02]\n  [1.25125e+02 1.25250e+02 1.25375e+02 ... 1.26125e+02 1.26250e+02\n   1.26375e+02]\n  [1.26500e+02 1.26625e+02 1.26750e+02 ... 1.27500e+02 1.27625e+02\n   1.27750e+02]\n  ...\n  [1.33375e+02 1.33500e+02 1.33625e+02 ... 1.34375e+02 1.34500e+02\n   1.34625e+02]\n  [1.34750e+02 1.34875e+02 1.35000e+02 ... 1.35750e+02 1.35875e+02\n   1.36000e+02]\n  [1.36125e+02 1.36250e+02 1.36375e+02 ... 1.37125e+02 1.37250e+02\n   1.37375e+02]]]" },
  { name: "linspace 2001 summarised", values: range(2001).map((i) => (i === 2000 ? 1 : i * 0.001 - 1)), expected: "[-1.    -0.999 -0.998 ...  0.998  0.999  1.   ]" },
  { name: "nested single row", values: [[[1, 2]]], expected: "[[[1. 2.]]]" },
  { name: "NaN without padding need", values: [NaN, 1.5], expected: "[nan 1.5]" },
];

describe('toString matches numpy str() for float32 arrays', () => {
  for (const c of PRINT_CASES) {
    it(c.name, () => {
      const flatOrNested = c.values;
      const t = c.shape ? tensor(Float32Array.from(flatOrNested as number[]), c.shape) : tensor(flatOrNested);
      expect(t.toString()).toBe(c.expected);
    });
  }

  it('the README example: [[1 2] [3 4]] prints as float32 "[[1. 2.]\\n [3. 4.]]"', () => {
    expect(String(tensor([[1, 2], [3, 4]]))).toBe('[[1. 2.]\n [3. 4.]]');
    expect(`${tensor([[1, 2], [3, 4]])}`).toBe('[[1. 2.]\n [3. 4.]]');
  });

  it('a scalar prints like numpy str(np.float32(1.5))', () => {
    expect(tensor(1.5).toString()).toBe('1.5');
  });

  it('an empty array prints "[]"', () => {
    expect(tensor(new Float32Array(0), [2, 0]).toString()).toBe('[]');
  });

  it('no line of a wrapped print is longer than 75 columns', () => {
    const t = tensor(Float32Array.from(range(200).map((i) => i * 1.125 - 100)), [4, 50]);
    for (const line of t.toString().split('\n')) expect(line.length).toBeLessThanOrEqual(75);
  });

  // numpy widens the column for nan/inf: FloatingFormat.fillFormat raises pad_left to
  // len('inf') + (any -inf) - (pad_right + 1), and pads non-finite strings to the full width.
  it('non-finite values are padded to the column width like numpy', () => {
    expect(tensor([NaN, 1, Infinity, -Infinity]).toString()).toBe('[ nan   1.  inf -inf]');
  });
});

function catchError(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error, none was thrown');
}
