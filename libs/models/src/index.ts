// Model calls for every stage that makes them (inference, and the judge for its own verdicts):
// providers, routing, the resilient caller (timeouts, retries, breakers, bulkheads, fallbacks),
// prices and the GenAI telemetry of each call.
export * from './providers/provider.js';
export * from './providers/provider-call.error.js';
export * from './providers/provider.config.js';
export * from './providers/provider.factory.js';
export * from './providers/simulator.provider.js';
export * from './providers/simulated-answer.js';
export * from './providers/token-estimate.js';
export * from './providers/anthropic.provider.js';
export * from './providers/openai-compatible.provider.js';
export * from './resilience/bulkhead.js';
export * from './resilience/circuit-breaker.js';
export * from './resilience/clock.js';
export * from './resilience/model-caller.js';
export * from './resilience/resilience.registry.js';
export * from './resilience/retry.policy.js';
export * from './routing/model.router.js';
export * from './routing/model-pattern.js';
export * from './pricing/price-table.js';
export * from './pricing/call-usage.js';
export * from './telemetry/gen-ai.telemetry.js';
export * from './testing/scripted.provider.js';
export * from './providers/http/sse.decoder.js';
export * from './providers/http/retry-after.js';
export * from './seeded-random.js';
