// npm's `prepare` step: builds dist/ whenever npm prepares the package from source — `npm ci` /
// `npm install` here, `npm pack`, `npm install git+<url>` (npm installs the dev dependencies for
// it) and `npm install <folder>` (npm links the folder and runs this in it, without installing
// its dev dependencies: then they are installed here first, with the folder's lockfile).
// Usage: npm run prepare (npm runs it by itself)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemNpmEnv } from './lib/npm.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TOOLS = ['assemblyscript', 'esbuild', 'typescript'];
const npm = (args) => spawnSync('npm', args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...systemNpmEnv() } });

const missing = TOOLS.filter((t) => !existsSync(join(root, 'node_modules', t, 'package.json')));
if (missing.length) {
  console.log(`upconv: building dist/ needs ${missing.join(', ')}; installing the build tools in ${root} (npm ci --ignore-scripts)`);
  const r = npm(['ci', '--ignore-scripts', '--no-audit', '--no-fund']);
  if (r.status !== 0) {
    console.error(`upconv: could not install the build tools; run \`npm ci\` in ${root}, then install again`);
    process.exit(1);
  }
}
process.exit(npm(['run', 'build']).status ?? 1);
