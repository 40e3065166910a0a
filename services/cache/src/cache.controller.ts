import { Payload } from '@nestjs/microservices';
import { TOPICS, type Envelope, type LlmResponse, type PipelineState } from '#contracts';
import { OnTopic, StageController } from '#messaging';
import { LookupCacheUseCase } from './lookup/lookup-cache.usecase.js';
import { StoreAnswerUseCase } from './store/store-answer.usecase.js';

@StageController()
export class CacheController {
  constructor(
    private readonly lookup: LookupCacheUseCase,
    private readonly store: StoreAnswerUseCase,
  ) {}

  @OnTopic(TOPICS.cacheLookup)
  onLookup(@Payload() envelope: Envelope<PipelineState>): Promise<void> {
    return this.lookup.execute(envelope);
  }

  @OnTopic(TOPICS.responses)
  onResponse(@Payload() envelope: Envelope<LlmResponse>): Promise<void> {
    return this.store.execute(envelope);
  }
}
