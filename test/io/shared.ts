/** The real trained generators in ../shared/models/ (see test/util/shared.ts). */
export { hasShared, MODELS } from '../util/shared.js';
