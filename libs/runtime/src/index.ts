export * from './stage-app.js';
