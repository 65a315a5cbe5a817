import { Act, actScalar, sigmoid, tanh } from '../../assembly/activations';
import { actV, madd, storeLanes } from '../../assembly/simd';

describe('actScalar', () => {
  it('passes linear through', () => {
    expect<f32>(actScalar(-2.5, Act.Linear, 0.2)).toBe(-2.5);
  });
  it('clamps relu at zero', () => {
    expect<f32>(actScalar(-2.5, Act.Relu, 0)).toBe(0);
    expect<f32>(actScalar(3.0, Act.Relu, 0)).toBe(3.0);
  });
  it('scales negatives for leaky relu', () => {
    expect<f32>(actScalar(-2.0, Act.LeakyRelu, 0.25)).toBe(-0.5);
    expect<f32>(actScalar(2.0, Act.LeakyRelu, 0.25)).toBe(2.0);
  });
  it('treats non-fusable codes as linear', () => {
    expect<f32>(actScalar(-1.0, Act.Sigmoid, 0)).toBe(-1.0);
  });
});

describe('sigmoid and tanh', () => {
  it('sigmoid(0) is one half and saturates without overflow', () => {
    expect<f32>(sigmoid(0)).toBe(0.5);
    expect<f32>(sigmoid(100)).toBe(1.0);
    expect<f32>(sigmoid(-100)).toBeGreaterThanOrEqual(0);
    expect<f32>(sigmoid(-100)).toBeLessThan(<f32>1e-30);
  });
  it('sigmoid is symmetric: s(x) + s(-x) = 1', () => {
    expect<f32>(sigmoid(1.5) + sigmoid(-1.5)).toBeCloseTo(1.0, 6);
  });
  it('tanh matches known values', () => {
    expect<f32>(tanh(0)).toBe(0);
    expect<f32>(tanh(1)).toBeCloseTo(0.7615942, 6);
    expect<f32>(tanh(50)).toBe(1.0);
  });
});

describe('simd helpers', () => {
  it('madd computes a*b + c per lane', () => {
    const r = madd(f32x4(1, 2, 3, 4), f32x4(5, 6, 7, 8), f32x4(1, 1, 1, 1));
    expect<f32>(f32x4.extract_lane(r, 0)).toBe(6);
    expect<f32>(f32x4.extract_lane(r, 3)).toBe(33);
  });
  it('actV applies relu and leaky relu per lane', () => {
    const v = f32x4(-2, -0.5, 0, 3);
    const relu = actV(v, Act.Relu, f32x4.splat(0));
    expect<f32>(f32x4.extract_lane(relu, 0)).toBe(0);
    expect<f32>(f32x4.extract_lane(relu, 3)).toBe(3);
    const leaky = actV(v, Act.LeakyRelu, f32x4.splat(0.5));
    expect<f32>(f32x4.extract_lane(leaky, 0)).toBe(-1);
    expect<f32>(f32x4.extract_lane(leaky, 1)).toBe(-0.25);
    expect<f32>(f32x4.extract_lane(leaky, 3)).toBe(3);
  });
  it('storeLanes writes exactly n lanes', () => {
    const p = heap.alloc(32);
    for (let n: i32 = 0; n <= 4; n++) {
      for (let i = 0; i < 8; i++) store<f32>(p + (<usize>i << 2), -1);
      storeLanes(p, f32x4(10, 11, 12, 13), n);
      for (let i: i32 = 0; i < 8; i++) {
        const want: f32 = i < n ? <f32>10 + <f32>i : <f32>-1;
        expect<f32>(load<f32>(p + (<usize>i << 2))).toBe(want);
      }
    }
    heap.free(p);
  });
});
