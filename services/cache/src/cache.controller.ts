import { Payload } from '@nestjs/microservices';
import { TOPICS, type CachePurge, type Envelope, type LlmResponse, type PipelineState } from '#contracts';
import { OnTopic, StageController } from '#messaging';
import { PurgeCacheUseCase } from './admin/purge-cache.usecase.js';
import { LookupCacheUseCase } from './lookup/lookup-cache.usecase.js';
import { StoreAnswerUseCase } from './store/store-answer.usecase.js';

@StageController()
export class CacheController {
  constructor(
    private readonly lookup: LookupCacheUseCase,
    private readonly store: StoreAnswerUseCase,
    private readonly purge: PurgeCacheUseCase,
  ) {}

  @OnTopic(TOPICS.cacheLookup)
  onLookup(@Payload() envelope: Envelope<PipelineState>): Promise<void> {
    return this.lookup.execute(envelope);
  }

  @OnTopic(TOPICS.responses)
  onResponse(@Payload() envelope: Envelope<LlmResponse>): Promise<void> {
    return this.store.execute(envelope);
  }

  @OnTopic(TOPICS.cacheAdmin)
  onPurge(@Payload() envelope: Envelope<CachePurge>): Promise<void> {
    return this.purge.execute(envelope);
  }
}
