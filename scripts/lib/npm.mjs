// The machine's own npm for child processes. Under `npm test` / `npm run`, PATH starts with
// node_modules/.bin, where a dev dependency's dependency (as-pect → npm-install-peers) put npm 6,
// which lacks `npm pack --pack-destination` and lockfile v3; this drops those folders from PATH.
import { delimiter, sep } from 'node:path';

/** `{ PATH }` without any node_modules/.bin folder, to spread into a child's environment. */
export function systemNpmEnv() {
  const PATH = (process.env.PATH ?? '').split(delimiter).filter((d) => !d.includes(`node_modules${sep}.bin`)).join(delimiter);
  return { PATH };
}
