import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { itShared, MODELS, ROOT } from './util/shared.js';
import { tempDir } from './util/tmp.js';

/**
 * Doc tests: every ```js block of README.md and docs/*.md that imports upconv (or requires it)
 * runs as a program of its own against the built package (dist/, resolved by name through a
 * node_modules/upconv link in a scratch project), so a stale snippet fails the suite.
 *
 * A block that needs a model file says so in an HTML comment just before it (invisible on the
 * rendered page), naming each file and the model in ../shared/models it is a copy of:
 *   <!-- doc-test: generator.h5=wgan-mnist3-convtranspose/generator_model.h5 -->
 * Those blocks are skipped when ../shared is missing.
 */

interface Block {
  file: string;
  line: number;
  code: string;
  /** file name in the block's folder → path under ../shared/models */
  files: Map<string, string>;
}

const DOCS = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
const IMPORTS_UPCONV = /\bfrom\s+['"]upconv(?:\/[\w/]+)?['"]|\brequire\(\s*['"]upconv(?:\/[\w/]+)?['"]\s*\)|\bimport\(\s*['"]upconv/;

function blocksOf(file: string): Block[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const out: Block[] = [];
  const re = /(?:<!--\s*doc-test:([^>]*)-->\s*\n)?```js\n([\s\S]*?)```/g;
  for (const m of text.matchAll(re)) {
    if (!IMPORTS_UPCONV.test(m[2])) continue;
    const files = new Map<string, string>();
    for (const pair of (m[1] ?? '').trim().split(/\s+/).filter(Boolean)) {
      const [name, from] = pair.split('=');
      files.set(name, from);
    }
    const line = text.slice(0, (m.index ?? 0) + m[0].indexOf('```js')).split('\n').length;
    out.push({ file, line, code: m[2], files });
  }
  return out;
}

const scratch = tempDir('upconv-docs-');
mkdirSync(join(scratch, 'node_modules'));
symlinkSync(ROOT, join(scratch, 'node_modules', 'upconv'), 'dir');

function runBlock(b: Block): { status: number | null; stdout: string; stderr: string } {
  const dir = join(scratch, `${b.file.replace(/[/.]/g, '_')}-${b.line}`);
  mkdirSync(dir, { recursive: true });
  for (const [name, from] of b.files) copyFileSync(join(MODELS, from), join(dir, name));
  const cjs = /\brequire\(/.test(b.code) && !/^\s*import\s/m.test(b.code);
  const program = join(dir, cjs ? 'block.cjs' : 'block.mjs');
  writeFileSync(program, b.code);
  const r = spawnSync(process.execPath, [program], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('doc tests: README.md and docs/*.md', () => {
  it('run against a built dist/ (npm test builds it first) and find the blocks', () => {
    expect(existsSync(join(ROOT, 'dist', 'index.js'))).toBe(true);
    expect(blocksOf('README.md').length).toBeGreaterThan(0);
  });

  for (const file of DOCS) {
    for (const b of blocksOf(file)) {
      const test = b.files.size ? itShared : it;
      test(`${file}:${b.line} runs`, () => {
        const r = runBlock(b);
        expect(r.stderr, `${file}:${b.line}\n${b.code}`).toBe('');
        expect(r.status, `${file}:${b.line}\n${b.code}\n${r.stdout}`).toBe(0);
      });
    }
  }

  it('the README quick start prints the output shape and writes a PNG', () => {
    const first = blocksOf('README.md')[0];
    const r = runBlock(first);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\[ 16, 28, 28, 1 \]/);
    const png = readFileSync(join(scratch, `README_md-${first.line}`, 'grid.png'));
    expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(first.files.size).toBe(0); // the quick start needs no file
  });
});
