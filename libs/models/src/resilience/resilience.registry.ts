import type { Provider } from '../providers/provider.js';
import { Bulkhead } from './bulkhead.js';
import { CircuitBreaker, type CircuitBreakerSettings, type CircuitState } from './circuit-breaker.js';
import type { Clock } from './clock.js';

/** One circuit breaker per provider+model, made on first use. */
export class CircuitBreakers {
  private readonly breakers = new Map<string, CircuitBreaker>();

  constructor(
    private readonly settings: CircuitBreakerSettings,
    private readonly clock: Clock,
    private readonly onStateChange?: (key: string, state: CircuitState) => void,
  ) {}

  get(key: string): CircuitBreaker {
    let breaker = this.breakers.get(key);
    if (!breaker) {
      breaker = new CircuitBreaker(this.settings, this.clock, this.onStateChange && ((state) => this.onStateChange!(key, state)));
      this.breakers.set(key, breaker);
    }
    return breaker;
  }
}

/** One bulkhead per provider: its own `maxConcurrent`, else the default. */
export class Bulkheads {
  private readonly bulkheads = new Map<string, Bulkhead>();

  constructor(private readonly defaults: { maxConcurrent: number; maxQueued: number }) {}

  get(provider: Provider): Bulkhead {
    let bulkhead = this.bulkheads.get(provider.name);
    if (!bulkhead) {
      const max = provider.maxConcurrent ?? this.defaults.maxConcurrent;
      bulkhead = new Bulkhead(max, Math.max(this.defaults.maxQueued, 0));
      this.bulkheads.set(provider.name, bulkhead);
    }
    return bulkhead;
  }
}
