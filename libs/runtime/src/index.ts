export * from './stage-app.js';
export * from './distributed.js';
export * from './graceful-stop.js';
export * from './http-intake.js';
export * from './port-check.js';
