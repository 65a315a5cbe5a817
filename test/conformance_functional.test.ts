import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { modelFromJSON, type Tensor, tensor } from '../bindings/index.js';
import { BACKENDS, use } from './util/backends.js';
import { mismatch } from './util/close.js';
import { SHARED } from './util/conformance.js';
import { needs } from './util/shared.js';

/**
 * Every case in ../shared/conformance-functional/: modelFromJSON → setWeights → predict with a
 * Tensor (one input) or an array of Tensors in input_layers order; one expected tensor or a list.
 */
interface Data { shape: number[]; data: number[] }
interface FunctionalCase {
  file: string;
  name: string;
  model: object;
  weights: Data[];
  input?: Data;
  inputs?: (Data & { name: string })[];
  expected: Data | Data[];
  tolerance: number;
}

const DIR = join(SHARED, 'conformance-functional');
const { describe } = needs(existsSync(DIR), '../shared');
const cases: FunctionalCase[] = !existsSync(DIR) ? [] : readdirSync(DIR).filter((f) => f.endsWith('.json')).sort()
  .map((file) => ({ file, ...JSON.parse(readFileSync(join(DIR, file), 'utf8')) }));

const t = (d: Data) => tensor(Float32Array.from(d.data), d.shape);

function runCase(c: FunctionalCase): string | null {
  const model = modelFromJSON(c.model);
  model.setWeights(c.weights.map(t));
  const x = c.inputs ? c.inputs.map(t) : t(c.input!);
  const y = model.predict(x);
  const got = Array.isArray(y) ? y : [y];
  const want = Array.isArray(c.expected) ? c.expected : [c.expected];
  if (got.length !== want.length) return `${got.length} outputs, expected ${want.length}`;
  for (let i = 0; i < want.length; i++) {
    const g = got[i] as Tensor;
    if (g.shape.join() !== want[i].shape.join()) return `output ${i}: shape [${g.shape}] != [${want[i].shape}]`;
    const m = mismatch(g.data, want[i].data, c.tolerance);
    if (m) return `output ${i}: ${m}`;
  }
  return null;
}

for (const backend of BACKENDS) {
  describe(`functional conformance on ${backend}`, () => {
    let passed = 0;
    const failed: string[] = [];
    afterAll(() => {
      for (const f of failed) console.log(`FAIL [${backend}] ${f}`);
      console.log(`functional conformance [${backend}]: ${passed} passed, ${failed.length} failed`);
    });
    it('has cases', () => expect(cases.length).toBeGreaterThan(30));
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
