// Installs a folder's own dependencies (bench/, test/runtimes/) when any is missing, with the
// machine's npm and the folder's lockfile (npm ci).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemNpmEnv } from './npm.mjs';

/** The devDependencies of `dir`/package.json that `dir`/node_modules lacks. */
export function missingDeps(dir) {
  const want = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).devDependencies ?? {};
  return Object.keys(want).filter((n) => !existsSync(join(dir, 'node_modules', n, 'package.json')));
}

/** `npm ci` in `dir` if a dependency is missing; true when everything is there afterwards. */
export function ensureDeps(dir, label = dir, env = process.env) {
  const missing = missingDeps(dir);
  if (!missing.length) return true;
  console.log(`installing ${label}'s dependencies (${missing.join(', ')} missing): npm ci in ${label}`);
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'inherit', env: { ...env, ...systemNpmEnv() } });
  return r.status === 0 && missingDeps(dir).length === 0;
}
