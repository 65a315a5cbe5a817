import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

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

/** ../shared/ beside the project root (read-only, test-time only). */
export const SHARED = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared');
export const CONFORMANCE_DIR = process.env.UPCONV_CONFORMANCE_DIR ?? join(SHARED, 'conformance');

export function loadCases(dir = CONFORMANCE_DIR): ConformanceCase[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, ...JSON.parse(readFileSync(join(dir, file), 'utf8')) }));
}
