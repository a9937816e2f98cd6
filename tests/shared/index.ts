// What every area's tests share (tests/README.md), re-exported in one place:
// where the built program is (program.ts), the LiteSVM world and its send
// (env.ts, on the SDK's test kit), lifecycle helpers (lifecycle.ts). The
// other modules of tests/shared/ (bankrun, postgres, qr, wallet) are
// imported by path.
export * from './program.js';
export * from './env.js';
export * from './lifecycle.js';
