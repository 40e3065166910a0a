import {
  ERROR_CODES,
  TOPICS,
  buildResponse,
  createEnvelope,
  endWith,
  withTiming,
  type Envelope,
  type PipelineState,
  type TopicName,
  type UsageEvent,
} from '#contracts';
import type { PublishItem, Publisher } from './publisher.js';

type PipelineTopic = typeof TOPICS.guardInput | typeof TOPICS.cacheLookup | typeof TOPICS.inference | typeof TOPICS.guardOutput;

/** Where a stage sends the request next: another stage, or the end (`responses`). */
export type StepResult = ({ next: PipelineTopic } | { next: 'respond' }) & {
  state: PipelineState;
  /** Usage events of this step, sent in the same produce request as the forward (one round trip). */
  usage?: UsageEvent[];
};

/**
 * Remembers which requests already got their final outcome, so a redelivered message (a stage
 * crashed after publishing but before committing) does not answer a client twice. A
 * `ProcessedMessageStore` from `#persistence` fits.
 */
export interface OutcomeLedger {
  find(stage: string, requestId: string): Promise<unknown>;
  record(stage: string, requestId: string, outcome: unknown): Promise<unknown>;
}

/** The ledger stage under which published outcomes are recorded, keyed `tenantId/requestId`. */
export const OUTCOME_LEDGER_STAGE = 'respond';

export interface StepOptions {
  stage: string;
  publisher: Publisher;
  now?: () => Date;
  /** When set, an outcome already published for the request is not published again. */
  outcomes?: OutcomeLedger;
}

/**
 * Runs one stage's work on a pipeline message: drops expired work with `failed/deadline_exceeded`,
 * records the stage's queue and handling time, and forwards the state (or the final outcome).
 */
export async function runPipelineStep(
  envelope: Envelope<PipelineState>,
  options: StepOptions,
  step: (state: PipelineState) => Promise<StepResult>,
): Promise<void> {
  const now = options.now ?? (() => new Date());
  const started = now();
  const queueMs = Math.max(0, started.getTime() - Date.parse(envelope.createdAt));
  let result: StepResult;
  if (envelope.deadline && Date.parse(envelope.deadline) <= started.getTime()) {
    result = {
      next: 'respond',
      state: endWith(envelope.payload, 'failed', {
        code: ERROR_CODES.deadlineExceeded,
        message: `the request's deadline passed before the ${options.stage} stage could handle it`,
      }),
    };
  } else {
    result = await step(envelope.payload);
  }
  const state = withTiming(result.state, { stage: options.stage, queueMs, durationMs: Math.max(0, now().getTime() - started.getTime()) });
  const at = now();
  const usage: PublishItem[] = (result.usage ?? []).map((u) => ({ topic: TOPICS.usage, envelope: createEnvelope(TOPICS.usage, u, envelope, at) }));
  if (result.next === 'respond') return publishOutcome(options.publisher, envelope, state, at, options.outcomes, usage);
  await options.publisher.publishAll([{ topic: result.next, envelope: createEnvelope(result.next, state, envelope, at) }, ...usage]);
}

/**
 * Publishes the final outcome on `ballast.responses.v1`, and on the client's `replyTo` topic when it
 * named one. With `outcomes`, a request that already has a published outcome is skipped; the record
 * is written only after the publish, so a crash in between can repeat an outcome but never lose one.
 */
export async function publishOutcome(
  publisher: Publisher,
  from: Envelope<unknown>,
  state: PipelineState,
  at = new Date(),
  outcomes?: OutcomeLedger,
  alongside: readonly PublishItem[] = [],
): Promise<void> {
  const response = buildResponse(state, at);
  const ledgerKey = `${response.tenantId}/${response.requestId}`;
  if (outcomes && (await outcomes.find(OUTCOME_LEDGER_STAGE, ledgerKey)) != null) return;
  const envelope = createEnvelope(TOPICS.responses, response, from, at);
  await publisher.publishAll([
    { topic: TOPICS.responses, envelope },
    ...(response.replyTo && response.replyTo !== TOPICS.responses
      ? [{ topic: response.replyTo as TopicName, envelope } as never]
      : []),
    ...alongside,
  ]);
  await outcomes?.record(OUTCOME_LEDGER_STAGE, ledgerKey, { envelopeId: envelope.id, status: response.status });
}
