export * from './config.loader.js';
export * from './env.fields.js';
export * from './common.config.js';
