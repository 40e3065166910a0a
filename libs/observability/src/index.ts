// Importing this module starts nothing: tracing begins only when a service calls startTelemetry().
export * from './telemetry.js';
export * from './trace-context.js';
export * from './span.helpers.js';
export * from './semconv.js';
export * from './metrics.registry.js';
export * from './readiness.registry.js';
export * from './log-context.js';
export * from './observability.settings.js';
export * from './logger.factory.js';
export * from './nest-logger.adapter.js';
export * from './health.controller.js';
export * from './metrics.controller.js';
export * from './observability.module.js';
