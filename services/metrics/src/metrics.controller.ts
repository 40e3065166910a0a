import { Payload } from '@nestjs/microservices';
import { TOPICS, type Envelope, type LlmResponse, type QualityScore, type UsageEvent } from '#contracts';
import { OnTopic, StageController } from '#messaging';
import { RecordMetricsUseCase } from './record/record-metrics.usecase.js';

@StageController()
export class MetricsStageController {
  constructor(private readonly record: RecordMetricsUseCase) {}

  @OnTopic(TOPICS.responses)
  async onResponse(@Payload() envelope: Envelope<LlmResponse>): Promise<void> {
    this.record.response(envelope.payload);
  }

  @OnTopic(TOPICS.usage)
  async onUsage(@Payload() envelope: Envelope<UsageEvent>): Promise<void> {
    this.record.usage(envelope.payload);
  }

  @OnTopic(TOPICS.qualityScores)
  async onQuality(@Payload() envelope: Envelope<QualityScore>): Promise<void> {
    this.record.quality(envelope.payload);
  }
}
