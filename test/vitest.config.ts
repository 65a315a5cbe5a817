import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // Node 20 runs the relaxed-SIMD build only behind this flag; tests cover all three builds.
    execArgv: ['--experimental-wasm-relaxed-simd'],
    reporters: ['default'],
  },
});
