import { Module, type DynamicModule } from '@nestjs/common';
import { ObservabilityModule } from '#observability';
import { CacheController } from './cache.controller.js';
import { CACHE_DEPS, type CacheDeps } from './cache.tokens.js';
import { LookupCacheUseCase } from './lookup/lookup-cache.usecase.js';
import { StoreAnswerUseCase } from './store/store-answer.usecase.js';

@Module({})
export class CacheModule {
  static register(deps: CacheDeps, options: { http?: boolean } = {}): DynamicModule {
    return {
      module: CacheModule,
      imports: options.http === false ? [] : [ObservabilityModule],
      controllers: [CacheController],
      providers: [{ provide: CACHE_DEPS, useValue: deps }, LookupCacheUseCase, StoreAnswerUseCase],
    };
  }
}
