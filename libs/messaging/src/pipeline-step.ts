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
} from '#contracts';
import type { Publisher } from './publisher.js';

type PipelineTopic = typeof TOPICS.guardInput | typeof TOPICS.cacheLookup | typeof TOPICS.inference | typeof TOPICS.guardOutput;

/** Where a stage sends the request next: another stage, or the end (`responses`). */
export type StepResult = { next: PipelineTopic; state: PipelineState } | { next: 'respond'; state: PipelineState };

export interface StepOptions {
  stage: string;
  publisher: Publisher;
  now?: () => Date;
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
  if (result.next === 'respond') return publishOutcome(options.publisher, envelope, state, now());
  await options.publisher.publish(result.next, createEnvelope(result.next, state, envelope, now()));
}

/** Publishes the final outcome on `ballast.responses.v1`, and on the client's `replyTo` topic when it named one. */
export async function publishOutcome(publisher: Publisher, from: Envelope<unknown>, state: PipelineState, at = new Date()): Promise<void> {
  const response = buildResponse(state, at);
  const envelope = createEnvelope(TOPICS.responses, response, from, at);
  await publisher.publishAll([
    { topic: TOPICS.responses, envelope },
    ...(response.replyTo && response.replyTo !== TOPICS.responses
      ? [{ topic: response.replyTo as TopicName, envelope } as never]
      : []),
  ]);
}
