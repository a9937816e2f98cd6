export * from './constants.js';
export * from './idl.js';
export * from './pdas.js';
export * from './instructions/index.js';
export * from './accounts/index.js';
export * from './errors.js';
export * from './events.js';
