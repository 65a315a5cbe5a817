import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The real trained generators in ../shared/models/, read in place (never copied here). */
export const MODELS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'models');
