import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SHARED } from './shared.js';

export interface ConformanceCase {
  file: string;
  name: string;
  tags?: string[];
  model: object;
  weights: { shape: number[]; data: number[] }[];
  input: { shape: number[]; data: number[] };
  expected: { shape: number[]; data: number[] };
  tolerance: number;
}

export { SHARED };
/** The golden cases, ../shared/conformance/ (suites that read them use describeShared). */
export const CONFORMANCE_DIR = process.env.UPCONV_CONFORMANCE_DIR ?? join(SHARED, 'conformance');

export function loadCases(dir = CONFORMANCE_DIR): ConformanceCase[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, ...JSON.parse(readFileSync(join(dir, file), 'utf8')) }));
}
