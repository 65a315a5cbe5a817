import { describe } from 'vitest';
import { type GradCase, itChecksGradients } from './check.js';

/**
 * Dense backward (dW = xᵀ·dy over the rows, db = Σ dy, dx = dy·Wᵀ) behind a trainable Dense so
 * its input gradient is checked through the first layer's weights: channel counts that hit the
 * 4- and 8-wide tails, batch 1 and 3, rank-3 and rank-4 inputs, no bias.
 */
const CH = [1, 3, 4, 5, 8, 13, 17];
const cases: GradCase[] = [];
CH.forEach((k, i) => {
  const n = CH[(i + 3) % CH.length];
  for (const batch of [1, 3]) {
    cases.push({ name: `${k} → ${n}, batch ${batch}`, input: [5], batch, seed: 10 + i * 2 + batch, layers: [
      { kind: 'dense', units: k },
      { kind: 'dense', units: n },
    ] });
  }
});
cases.push(
  { name: 'rank-3 input (2, 5) → 13 → 4', input: [2, 5], batch: 3, seed: 3, layers: [{ kind: 'dense', units: 13 }, { kind: 'dense', units: 4 }] },
  { name: 'rank-3 input (3, 17) → 8 → 17, batch 1', input: [3, 17], batch: 1, seed: 4, layers: [{ kind: 'dense', units: 8 }, { kind: 'dense', units: 17 }] },
  { name: 'rank-4 input (2, 3, 4) → 5 → 3', input: [2, 3, 4], batch: 3, seed: 5, layers: [{ kind: 'dense', units: 5 }, { kind: 'dense', units: 3 }] },
  { name: 'no bias: 4 → 5 (useBias false) → 8 (useBias false)', input: [4], batch: 3, seed: 6, layers: [{ kind: 'dense', units: 5, useBias: false }, { kind: 'dense', units: 8, useBias: false }] },
  { name: 'three layers 3 → 17 → 1 → 5', input: [3], batch: 3, seed: 7, layers: [{ kind: 'dense', units: 17 }, { kind: 'dense', units: 1 }, { kind: 'dense', units: 5 }] },
  { name: 'wide inputs 67 → 1 and 67 → 2 (few-output kernels)', input: [9], batch: 3, seed: 20, layers: [{ kind: 'dense', units: 67 }, { kind: 'dense', units: 2 }, { kind: 'dense', units: 1 }] },
  { name: '9 → 37 → 11 (8-wide panel tails both ways)', input: [9], batch: 3, seed: 21, layers: [{ kind: 'dense', units: 37 }, { kind: 'dense', units: 11 }] },
  { name: 'a frozen layer in the middle passes the gradient through: 4 → 5 → 8 (trainable false) → 3', input: [4], batch: 3, seed: 9, layers: [{ kind: 'dense', units: 5 }, { kind: 'dense', units: 8, trainable: false, activation: 'tanh' }, { kind: 'dense', units: 3 }] },
  { name: 'frozen first layer (trainable false) 4 → 8 → 3', input: [4], batch: 3, seed: 8, layers: [{ kind: 'dense', units: 8, trainable: false }, { kind: 'dense', units: 3 }] },
);

describe('Dense gradients', () => {
  for (const c of cases) describe(c.name, () => itChecksGradients(c));
});
