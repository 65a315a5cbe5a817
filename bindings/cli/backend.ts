import { init, setBackend } from '../backend/select.js';
import { UsageError } from './options.js';

/** Loads the WebAssembly core and selects --backend (wasm or js). */
export async function useBackend(name: string): Promise<void> {
  if (name !== 'wasm' && name !== 'js') throw new UsageError(`--backend must be wasm or js, got '${name}'`);
  await init();
  setBackend(name);
}
