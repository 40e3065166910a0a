import { HEADERS, TOPICS } from '#contracts';
import type { OutgoingRecord, ReceivedRecord } from './transport.js';

export interface DeadLetterReason {
  /** A stable class: an error code such as `ballast.malformed_message`, or an error name. */
  errorClass: string;
  /** A sentence a person can act on. Never carries message content. */
  reason: string;
  stage: string;
}

const MAX_REASON_LENGTH = 1_000;

/** The dead letter for `record`: original key, bytes and headers, plus why and where it failed. */
export function deadLetterFor(record: ReceivedRecord, why: DeadLetterReason): OutgoingRecord {
  return {
    topic: TOPICS.dlq,
    key: record.key,
    value: record.value,
    headers: {
      ...record.headers,
      [HEADERS.errorClass]: why.errorClass,
      [HEADERS.errorReason]: why.reason.slice(0, MAX_REASON_LENGTH),
      [HEADERS.failedStage]: why.stage,
      [HEADERS.originalTopic]: record.topic,
      [HEADERS.originalPartition]: String(record.partition),
      [HEADERS.originalOffset]: record.offset,
    },
  };
}
