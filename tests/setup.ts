// The tests' support, split by concern (tests/setup/): where the program is
// (program.ts), compute-unit accounting shared with the bench (compute.ts),
// the world and its send (env.ts, on the SDK's test kit), lifecycle helpers
// (lifecycle.ts).
export * from './setup/program.js';
export * from './setup/compute.js';
export * from './setup/env.js';
export * from './setup/lifecycle.js';
