export * from './stage-app.js';
export * from './distributed.js';
