export * from './world.js';
export * from '../litesvm/index.js';
