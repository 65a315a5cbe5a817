import { init, setBackend } from '../backend/select.js';
import { type Parsed, strOption, UsageError, wasmOption } from './options.js';

/** Loads the WebAssembly build --wasm asks for (default: the best) and selects --backend. */
export async function useBackend(p: Parsed, allowBoth = false): Promise<'wasm' | 'js' | 'both'> {
  const name = strOption(p, 'backend', 'wasm');
  if (name !== 'wasm' && name !== 'js' && !(allowBoth && name === 'both')) {
    throw new UsageError(`--backend must be wasm${allowBoth ? ', js or both' : ' or js'}, got '${name}'`);
  }
  const flavour = wasmOption(p);
  await init(undefined, flavour ? { flavour } : {});
  if (name !== 'both') setBackend(name);
  return name;
}
