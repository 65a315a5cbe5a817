import { describe, expect, it } from 'vitest';
import { BinaryCrossentropy, type Loss, type LossName } from '../../bindings/index.js';
import { BACKENDS, use } from '../util/backends.js';
import { Rng } from '../util/rng.js';
import type { LayerSpec } from './chain.js';
import { type GradCase, gradMismatch, itChecksGradients, makeReference } from './check.js';
import { sgdGradients } from './graphs.js';
import type { LossSpec } from './oracle/losses.js';
import { maxAbs } from './oracle/values.js';

/**
 * Every loss against the float64 oracle of ../shared/training/SEMANTICS.md §2, through a model
 * (Dense → Dense [→ activation] [→ Reshape]) so the gradient reaches weights: mse, mae, hinge
 * ({0,1} labels converted, ±1 and other labels not, the tie), binary crossentropy on the clip path
 * (after a Reshape: clipped entries get no gradient) and the sigmoid logits shortcut (no clip: a
 * saturated |z| > 16 keeps gradient ±1), label smoothing, from_logits, categorical and sparse
 * categorical crossentropy with and without the softmax shortcut. computeGradients and
 * trainOnBatch (the loss before the update, and the update of SGD(1) = −gradient) are both checked.
 */
const L = (upconv: LossName | Loss, oracle: LossSpec) => ({ upconv, oracle });
const binary = (n: number, r: Rng) => Float32Array.from({ length: n }, () => (r.bool() ? 1 : 0));
const signs = (n: number, r: Rng) => Float32Array.from({ length: n }, () => (r.bool() ? 1 : -1));
const unit = (n: number, r: Rng) => r.uniformF32(n, 0, 1);
/** One-hot rows of `C` classes. */
const oneHot = (C: number) => (n: number, r: Rng) => {
  const y = new Float32Array(n);
  for (let o = 0; o < n; o += C) y[o + r.int(0, C - 1)] = 1;
  return y;
};
/** Integer labels in [0, C). */
const labels = (C: number) => (n: number, r: Rng) => Float32Array.from({ length: n }, () => r.int(0, C - 1));

/** Dense 4 → 6 → `units` with the given activation, optionally followed by `after`. */
function head(units: number, activation: string | undefined, after: LayerSpec[] = []): LayerSpec[] {
  return [{ kind: 'dense', units: 6 }, { kind: 'dense', units, activation }, ...after];
}

/** The second Dense's weights with logits near +`at`, −`at` and 0 by unit (a small kernel, biases +at, −at, 0, …). */
function saturating(units: number, at: number, seed: number): Map<number, Float32Array[]> {
  const r = new Rng(seed);
  return new Map([[1, [r.uniformF32(6 * units, -0.2, 0.2), Float32Array.from({ length: units }, (_, j) => [at, -at, 0][j % 3])]]]);
}

const BCE = L('binary_crossentropy', { name: 'bce' });
const cases: GradCase[] = [
  { name: 'mse', input: [4], batch: 3, seed: 800, layers: head(5, undefined), loss: L('mse', { name: 'mse' }) },
  { name: 'mean_squared_error on a rank-3 output', input: [2, 4], batch: 3, seed: 801, layers: head(3, undefined), loss: L('mean_squared_error', { name: 'mse' }) },
  { name: 'mae', input: [4], batch: 3, seed: 802, layers: head(5, undefined), loss: L('mae', { name: 'mae' }) },
  { name: 'mean_absolute_error after tanh', input: [4], batch: 3, seed: 803, layers: head(4, 'tanh'), loss: L('mean_absolute_error', { name: 'mae' }) },
  { name: 'hinge with {0, 1} labels (converted to ±1)', input: [4], batch: 5, seed: 804, layers: head(3, 'tanh'), loss: L('hinge', { name: 'hinge' }), targets: binary },
  { name: 'hinge with ±1 labels', input: [4], batch: 5, seed: 805, layers: head(3, undefined), loss: L('hinge', { name: 'hinge' }), targets: signs },
  { name: 'hinge with labels in (0, 1) (not binary: unconverted)', input: [4], batch: 3, seed: 806, layers: head(3, undefined), loss: L('hinge', { name: 'hinge' }), targets: unit },
  { name: 'binary_crossentropy on a sigmoid output: the logits shortcut', input: [4], batch: 4, seed: 810, layers: head(3, 'sigmoid'), loss: BCE, targets: binary },
  { name: 'binary_crossentropy, Activation(sigmoid) last: the shortcut', input: [4], batch: 4, seed: 811, layers: head(3, undefined, [{ kind: 'activation', name: 'sigmoid' }]), loss: BCE, targets: unit },
  { name: 'binary_crossentropy, shortcut with saturated logits ±20 (loss ≈ |z|, gradient ±1, no clip)', input: [4], batch: 4, seed: 812, layers: head(4, 'sigmoid'), loss: BCE, targets: binary, weights: saturating(4, 20, 812) },
  { name: 'binary_crossentropy, shortcut with logits ±17', input: [4], batch: 4, seed: 813, layers: head(2, 'sigmoid'), loss: BCE, targets: binary, weights: saturating(2, 17, 813) },
  { name: 'binary_crossentropy after sigmoid → Reshape: the clip path', input: [4], batch: 4, seed: 814, layers: head(4, 'sigmoid', [{ kind: 'reshape', target: [2, 2] }]), loss: BCE, targets: unit },
  { name: 'binary_crossentropy, clip path with saturated p (clipped entries get no gradient)', input: [4], batch: 4, seed: 815, layers: head(4, 'sigmoid', [{ kind: 'flatten' }]), loss: BCE, targets: binary, weights: saturating(4, 22, 815) },
  { name: 'binary_crossentropy on a linear output (clip path, p outside [0, 1] clipped)', input: [4], batch: 4, seed: 816, layers: head(3, undefined), loss: BCE, targets: unit },
  { name: 'BinaryCrossentropy({ labelSmoothing: 0.2 }), shortcut', input: [4], batch: 4, seed: 817, layers: head(3, 'sigmoid'), loss: L(new BinaryCrossentropy({ labelSmoothing: 0.2 }), { name: 'bce', labelSmoothing: 0.2 }), targets: binary },
  { name: 'BinaryCrossentropy({ labelSmoothing: 0.1 }), clip path', input: [4], batch: 4, seed: 818, layers: head(3, 'sigmoid', [{ kind: 'reshape', target: [3] }]), loss: L(new BinaryCrossentropy({ labelSmoothing: 0.1 }), { name: 'bce', labelSmoothing: 0.1 }), targets: binary },
  { name: 'BinaryCrossentropy({ labelSmoothing: 0.3 }), saturated shortcut', input: [4], batch: 4, seed: 819, layers: head(2, 'sigmoid'), loss: L(new BinaryCrossentropy({ labelSmoothing: 0.3 }), { name: 'bce', labelSmoothing: 0.3 }), targets: binary, weights: saturating(2, 20, 819) },
  { name: 'BinaryCrossentropy({ fromLogits: true }) on a linear output', input: [4], batch: 4, seed: 820, layers: head(3, undefined), loss: L(new BinaryCrossentropy({ fromLogits: true }), { name: 'bce', fromLogits: true }), targets: binary },
  { name: 'BinaryCrossentropy({ fromLogits: true, labelSmoothing: 0.2 }), saturated logits', input: [4], batch: 4, seed: 821, layers: head(4, undefined), loss: L(new BinaryCrossentropy({ fromLogits: true, labelSmoothing: 0.2 }), { name: 'bce', fromLogits: true, labelSmoothing: 0.2 }), targets: binary, weights: saturating(4, 25, 821) },
  { name: 'BinaryCrossentropy({ fromLogits: true }) on a sigmoid output takes the logits', input: [4], batch: 4, seed: 822, layers: head(3, 'sigmoid'), loss: L(new BinaryCrossentropy({ fromLogits: true }), { name: 'bce', fromLogits: true }), targets: binary },
  { name: 'binary_crossentropy on a Conv2D(sigmoid) output: the shortcut, saturated pixels keep their gradient', input: [4, 4, 2], batch: 2, seed: 823, layers: [
    { kind: 'conv2d', filters: 3, kernel: [3, 3], padding: 'same' }, { kind: 'conv2d', filters: 1, kernel: [3, 3], padding: 'same', activation: 'sigmoid' },
  ], loss: BCE, targets: binary, inputs: (n, r) => r.uniformF32(n, -12, 12) },
  { name: 'binary_crossentropy on a Conv2DTranspose(sigmoid) output (the shortcut)', input: [2, 2, 3], batch: 2, seed: 824, layers: [
    { kind: 'dense', units: 4 }, { kind: 'conv2dTranspose', filters: 2, kernel: [3, 3], strides: [2, 2], padding: 'same', activation: 'sigmoid' },
  ], loss: BCE, targets: unit },
  { name: 'categorical_crossentropy on a softmax output: the shortcut', input: [4], batch: 4, seed: 830, layers: head(5, 'softmax'), loss: L('categorical_crossentropy', { name: 'cce' }), targets: oneHot(5) },
  { name: 'categorical_crossentropy, shortcut with soft labels (Σy ≠ 1)', input: [4], batch: 4, seed: 831, layers: head(4, 'softmax'), loss: L('categorical_crossentropy', { name: 'cce' }), targets: unit },
  { name: 'categorical_crossentropy, Activation(softmax) last, rank-3 output', input: [3, 4], batch: 2, seed: 832, layers: head(3, undefined, [{ kind: 'activation', name: 'softmax' }]), loss: L('categorical_crossentropy', { name: 'cce' }), targets: oneHot(3) },
  { name: 'categorical_crossentropy after softmax → Reshape: normalised and clipped', input: [4], batch: 4, seed: 833, layers: head(5, 'softmax', [{ kind: 'reshape', target: [5] }]), loss: L('categorical_crossentropy', { name: 'cce' }), targets: unit },
  { name: 'categorical_crossentropy, shortcut with saturated logits ±20', input: [4], batch: 4, seed: 834, layers: head(4, 'softmax'), loss: L('categorical_crossentropy', { name: 'cce' }), targets: oneHot(4), weights: saturating(4, 20, 834) },
  { name: 'categorical_crossentropy, clip path with saturated logits ±20 (clipped classes get no gradient)', input: [4], batch: 4, seed: 835, layers: head(4, 'softmax', [{ kind: 'flatten' }]), loss: L('categorical_crossentropy', { name: 'cce' }), targets: oneHot(4), weights: saturating(4, 20, 835) },
  { name: 'sparse_categorical_crossentropy on a softmax output: the shortcut', input: [4], batch: 5, seed: 840, layers: head(5, 'softmax'), loss: L('sparse_categorical_crossentropy', { name: 'scce' }), targets: labels(5) },
  { name: 'sparse_categorical_crossentropy, rank-3 output', input: [2, 4], batch: 3, seed: 841, layers: head(3, 'softmax'), loss: L('sparse_categorical_crossentropy', { name: 'scce' }), targets: labels(3) },
  { name: 'sparse_categorical_crossentropy after softmax → Reshape: log(clip(p)) fed to the logits op', input: [4], batch: 5, seed: 842, layers: head(4, 'softmax', [{ kind: 'reshape', target: [4] }]), loss: L('sparse_categorical_crossentropy', { name: 'scce' }), targets: labels(4) },
  { name: 'sparse_categorical_crossentropy, clip path with saturated logits', input: [4], batch: 5, seed: 843, layers: head(4, 'softmax', [{ kind: 'flatten' }]), loss: L('sparse_categorical_crossentropy', { name: 'scce' }), targets: labels(4), weights: saturating(4, 20, 843) },
  { name: 'sparse_categorical_crossentropy, shortcut with saturated logits', input: [4], batch: 5, seed: 844, layers: head(4, 'softmax'), loss: L('sparse_categorical_crossentropy', { name: 'scce' }), targets: labels(4), weights: saturating(4, 20, 844) },
];

/** hinge at the tie 1 − y·p = 0 (p = 1 exactly for y = 1): TF's Maximum gives the gradient −y to the first argument. */
const tie: GradCase = {
  name: 'hinge at the tie 1 − y·p = 0 (gradient −y)', input: [4], batch: 3, seed: 850, atKinks: true, layers: head(2, undefined), loss: L('hinge', { name: 'hinge' }),
  targets: (n) => Float32Array.from({ length: n }, (_, i) => (i % 2 ? 1 : -1)),
  weights: new Map([[1, [new Float32Array(12), Float32Array.from([-1, 1])]]]),
};

describe('loss gradients (computeGradients)', () => {
  for (const c of [...cases, tie]) describe(c.name, () => itChecksGradients(c));
});

describe('trainOnBatch: the loss before the update and SGD(1)\'s step = −gradient', () => {
  for (const c of cases) {
    it.each(BACKENDS)(`${c.name} on %s`, async (backend) => {
      await use(backend);
      const ref = makeReference(c);
      const layers = ref.built.layers.filter((l) => l.getWeights().length);
      const got = sgdGradients(ref.built.model, layers, ref.x, ref.y, c.loss!.upconv as string);
      expect(Math.abs(got.loss - ref.loss)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(ref.loss)));
      const scale = Math.max(...ref.analytic.flat().map(maxAbs));
      const problems: string[] = [];
      got.grads.forEach((ws, i) => ws.forEach((w, j) => {
        const p = gradMismatch(w, ref.analytic[i][j], 2e-4, scale);
        if (p) problems.push(`layer ${i} weight ${j}: ${p}`);
      }));
      expect(problems).toEqual([]);
    });
  }
});

describe('computeGradients takes each call\'s loss with its options (a cached step kept the first loss of that name)', () => {
  it.each(BACKENDS)('label smoothing 0.4, none, the name, label smoothing 0.1 on the same model and inputs on %s', async (backend) => {
    await use(backend);
    const base: GradCase = { name: 'options', input: [4], batch: 4, seed: 860, layers: head(3, 'sigmoid'), targets: binary, loss: BCE };
    const variants: [Loss | LossName, LossSpec][] = [
      [new BinaryCrossentropy({ labelSmoothing: 0.4 }), { name: 'bce', labelSmoothing: 0.4 }],
      [new BinaryCrossentropy(), { name: 'bce' }],
      ['binary_crossentropy', { name: 'bce' }],
      [new BinaryCrossentropy({ labelSmoothing: 0.1 }), { name: 'bce', labelSmoothing: 0.1 }],
    ];
    const ref = makeReference(base);
    for (const [upconv, oracle] of variants) {
      const want = makeReference({ ...base, loss: L(upconv, oracle) });
      const got = ref.built.model.computeGradients(ref.x, ref.y, { loss: upconv });
      expect(got.loss).toBeCloseTo(want.loss, 5);
      const scale = Math.max(...want.analytic.flat().map(maxAbs));
      expect(gradMismatch(got.gradients[0].data, want.analytic[0][0], 2e-4, scale)).toBeNull();
    }
  });
});
