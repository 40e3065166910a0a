export * from './kafka.transport.js';
export { quietLogCreator, type KafkaLogLevel, type LineWriter } from './kafka-logging.js';
export * from './security.js';
