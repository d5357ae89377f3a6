// Runs the whole suite once per backend that loads, as Jest projects:
//   cpu            - pure-JS backend, fast kernels
//   wasm           - WebAssembly backend, fast kernels
//   cpu-composite  - cpu with the composite (portable) path forced, which is
//                    what webgl/webgpu run
//   tensorflow     - tfjs-node, only when it is installed
const {spawnSync} = require('child_process');

const backends = ['cpu', 'wasm', 'cpu-composite'];
// tfjs-node is probed in a child process, never loaded here: with one worker
// (a 2-core machine, or -w 1) Jest runs test files in this very process, and
// each test sandbox would then inherit this process's tfjs globals
// ("Variable ... was already registered"). Loading it also loads the native
// library, so a package that installed but cannot load is reported and
// skipped, like one that is absent.
const probe = spawnSync(process.execPath, ['-e', 'require("@tensorflow/tfjs-node")'],
  {cwd: __dirname, encoding: 'utf8', env: {...process.env, TF_CPP_MIN_LOG_LEVEL: '2'}});
if (probe.status === 0) {
  backends.push('tensorflow');
} else if (!/Cannot find module '@tensorflow\/tfjs-node'/.test(probe.stderr)) {
  console.warn(`tfjs-node is installed but does not load:\n${probe.stderr.split('\n').slice(0, 5).join('\n')}`);
}

// CI names the backends that must run (TFJS_GAUSSIAN_REQUIRE_BACKENDS=tensorflow):
// a backend that silently fails to load must not turn into a green run.
for (const b of (process.env.TFJS_GAUSSIAN_REQUIRE_BACKENDS || '').split(',').filter(Boolean)) {
  if (!backends.includes(b)) throw new Error(`tfjs-gaussian: backend ${b} is required here but does not load`);
}

const only = process.env.TFJS_GAUSSIAN_BACKENDS;
const selected = only ? backends.filter((b) => only.split(',').includes(b)) : backends;
console.log(`tfjs-gaussian: testing on ${selected.join(', ')}` +
  (backends.includes('tensorflow') ? '' : ' (tfjs-node is not installed here; see the README to add it)'));

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
