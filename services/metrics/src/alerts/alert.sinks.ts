import { TOPICS, createEnvelope, type Alert } from '#contracts';
import type { Publisher } from '#messaging';
import type { AlertSink } from './alert.engine.js';

/** Tenant of an alert's envelope when the alert is not about one tenant (DLQ growth, quality per version). */
export const SYSTEM_TENANT = 'ballast-system';

/** Publishes every alert to `ballast.alerts.v1`, keyed by the alert's key so firing and resolved stay in order. */
export class BusAlertSink implements AlertSink {
  readonly name = 'bus';
  constructor(private readonly publisher: Publisher) {}

  async deliver(alert: Alert): Promise<void> {
    const requestId = (alert.key ?? alert.kind).slice(0, 200);
    await this.publisher.publish(TOPICS.alerts, createEnvelope(TOPICS.alerts, alert, { requestId, tenantId: alert.labels.tenant ?? SYSTEM_TENANT }));
  }
}

/** The line a chat shows for an alert. */
export function alertText(alert: Alert): string {
  const icon = alert.state === 'resolved' ? '✅' : alert.severity === 'critical' ? '🔴' : '🟠';
  return `${icon} [${alert.state}] ${alert.kind}: ${alert.message}`;
}

/**
 * POSTs Slack-compatible JSON (`{ text, alert }`) to a webhook: one attempt with a timeout and no
 * retries (the next evaluation brings the next state), at most `maxInFlight` deliveries at once so a
 * slow receiver cannot pile requests up.
 */
export class WebhookAlertSink implements AlertSink {
  readonly name = 'webhook';
  private inFlight = 0;

  constructor(
    private readonly url: string,
    private readonly timeoutMs: number,
    private readonly maxInFlight = 4,
  ) {}

  async deliver(alert: Alert): Promise<void> {
    if (this.inFlight >= this.maxInFlight) throw new Error(`webhook busy: ${this.inFlight} deliveries still in flight, ${alert.kind} not sent`);
    this.inFlight++;
    try {
      const response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: alertText(alert), alert }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await response.body?.cancel();
      if (!response.ok) throw new Error(`webhook answered ${response.status}`);
    } finally {
      this.inFlight--;
    }
  }
}
