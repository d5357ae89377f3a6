// Runs the whole suite once per backend that loads, as Jest projects:
//   cpu            - pure-JS backend, fast kernels
//   wasm           - WebAssembly backend, fast kernels
//   cpu-composite  - cpu with the composite (portable) path forced, which is
//                    what tensorflow/webgl/webgpu run
//   tensorflow     - tfjs-node, only when it is installed
const backends = ['cpu', 'wasm', 'cpu-composite'];
try {
  // Loads the native library too: a package that installed but cannot load
  // is reported and skipped, like one that is absent.
  require('@tensorflow/tfjs-node');
  backends.push('tensorflow');
} catch (e) {
  // Optional dependency: not installable where libtensorflow cannot be downloaded.
  if (e && e.code !== 'MODULE_NOT_FOUND') console.warn(`tfjs-node is installed but does not load: ${e.message}`);
}

const only = process.env.TFJS_GAUSSIAN_BACKENDS;
const selected = only ? backends.filter((b) => only.split(',').includes(b)) : backends;
console.log(`tfjs-gaussian: testing on ${selected.join(', ')}` +
  (backends.includes('tensorflow') ? '' : ' (tfjs-node is not installed here)'));

module.exports = {
  projects: selected.map((backend) => ({
    displayName: backend,
    testEnvironment: 'node',
    roots: ['<rootDir>/test'],
    testMatch: ['**/*.test.ts'],
    transform: {'^.+\\.ts$': ['ts-jest', {diagnostics: false}]},
    moduleNameMapper: {'^(\\.{1,2}/.*)\\.js$': '$1'},
    setupFilesAfterEnv: [`<rootDir>/test/setup/${backend}.ts`],
  })),
  testTimeout: 60000,
};
