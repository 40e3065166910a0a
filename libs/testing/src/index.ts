export * from './wait-until.js';
