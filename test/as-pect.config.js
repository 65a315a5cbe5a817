// as-pect specs for AssemblyScript helpers that the .wasm does not export (simd.ts, activations.ts).
// Run from the project root: npx asp --config test/as-pect.config.js --as-config test/as-pect.asconfig.json
export default {
  entries: ['test/assembly/**/*.spec.ts'],
  include: [],
  disclude: [/node_modules/],
  async instantiate(memory, createImports, instantiate, binary) {
    return instantiate(binary, createImports({ env: { memory } }));
  },
  outputBinary: false,
};
