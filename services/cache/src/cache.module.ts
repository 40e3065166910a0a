import { Inject, Injectable, Module, type DynamicModule, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ObservabilityModule } from '#observability';
import { PurgeCacheUseCase } from './admin/purge-cache.usecase.js';
import { CacheController } from './cache.controller.js';
import { CACHE_DEPS, type CacheDeps } from './cache.tokens.js';
import { LookupCacheUseCase } from './lookup/lookup-cache.usecase.js';
import { StoreAnswerUseCase } from './store/store-answer.usecase.js';

/**
 * Gets the semantic store ready at start (embedded mode's in-memory index loads meanwhile), and waits
 * for the stores' calls in flight when the app closes, before the database they run on goes.
 */
@Injectable()
class CacheStoreLifecycle implements OnApplicationBootstrap, OnModuleDestroy {
  constructor(@Inject(CACHE_DEPS) private readonly deps: CacheDeps) {}

  onApplicationBootstrap(): void {
    this.deps.semantic?.warmUp();
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([(this.deps.store as { close?: () => Promise<void> }).close?.(), this.deps.semantic?.close()]);
  }
}

@Module({})
export class CacheModule {
  static register(deps: CacheDeps, options: { http?: boolean } = {}): DynamicModule {
    return {
      module: CacheModule,
      imports: options.http === false ? [] : [ObservabilityModule],
      controllers: [CacheController],
      providers: [{ provide: CACHE_DEPS, useValue: deps }, LookupCacheUseCase, StoreAnswerUseCase, PurgeCacheUseCase, CacheStoreLifecycle],
    };
  }
}
