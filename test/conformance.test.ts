import { afterAll, expect, it } from 'vitest';
import { modelFromJSON, tensor } from '../bindings/index.js';
import { BACKENDS, expectRunsOn, use } from './util/backends.js';
import { mismatch } from './util/close.js';
import { type ConformanceCase, loadCases } from './util/conformance.js';
import { describeShared, hasShared } from './util/shared.js';

/** Every golden case in ../shared/conformance/ through modelFromJSON → setWeights → predict. */
function runCase(c: ConformanceCase): string | null {
  const model = modelFromJSON(c.model);
  model.setWeights(c.weights.map((w) => tensor(Float32Array.from(w.data), w.shape)));
  const y = model.predict(tensor(Float32Array.from(c.input.data), c.input.shape));
  if (y.shape.join() !== c.expected.shape.join()) return `shape [${y.shape}] != [${c.expected.shape}]`;
  return mismatch(y.data, c.expected.data, c.tolerance);
}

const cases = hasShared ? loadCases() : [];

for (const backend of BACKENDS) {
  describeShared(`conformance on ${backend}`, () => {
    let passed = 0;
    const failed: string[] = [];
    afterAll(() => {
      for (const f of failed) console.log(`FAIL [${backend}] ${f}`);
      console.log(`conformance [${backend}]: ${passed} passed, ${failed.length} failed`);
    });
    it('has cases and runs on the right backend', async () => {
      expect(cases.length).toBeGreaterThan(0);
      await expectRunsOn(backend);
    });
    for (const c of cases) {
      it(c.file, async () => {
        await use(backend);
        let problem: string | null;
        try {
          problem = runCase(c);
        } catch (e) {
          problem = `threw ${(e as Error).message}`;
        }
        if (problem) failed.push(`${c.name}: ${problem}`);
        else passed++;
        expect(problem).toBeNull();
      });
    }
  });
}
