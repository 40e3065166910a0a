import { Module, type DynamicModule } from '@nestjs/common';
import { ObservabilityModule } from '#observability';
import { APP_FILTER } from '@nestjs/core';
import { PromptRegistryService } from '#persistence';
import { AdminCacheController } from './admin/admin-cache.controller.js';
import { AdminKeysController } from './admin/admin-keys.controller.js';
import { AdminPromptsController } from './admin/admin-prompts.controller.js';
import { AdminTenantsController } from './admin/admin-tenants.controller.js';
import { AdminGuard } from './admin/admin.guard.js';
import { ApiErrorFilter } from './http/api-error.filter.js';
import { OpenAiController } from './http/openai.controller.js';
import { RequestsController } from './http/requests.controller.js';
import { TenantGuard, TenantKeys } from './http/tenant.guard.js';
import { INGRESS_DEPS, type IngressDeps } from './ingress.tokens.js';
import { TenantChangesPoller } from './limits/tenant-changes.poller.js';
import { TenantRateLimiter } from './limits/tenant-rate.limiter.js';
import { UsageRecorder } from './limits/usage.recorder.js';
import { OutcomeListener } from './outcomes/outcome.listener.js';
import { OutcomeWaiters } from './outcomes/outcome.waiters.js';
import { RequestLedger } from './outcomes/request.ledger.js';
import { PromptResolver } from './prompts/prompt.resolver.js';
import { PublisherRegistryEvents } from './registry/publisher.registry-events.js';
import { RegistryEventsListener } from './registry/registry-events.listener.js';
import { RequestsTopicController } from './submit/requests-topic.controller.js';
import { SubmitAndWaitService } from './submit/submit-and-wait.service.js';
import { SubmitRequestUseCase } from './submit/submit-request.usecase.js';
import { ChunkListener } from './stream/chunk.listener.js';
import { ChunkWaiters } from './stream/chunk.waiters.js';
import { StreamService } from './stream/stream.service.js';

@Module({})
export class IngressModule {
  static register(deps: IngressDeps, options: { http?: boolean } = {}): DynamicModule {
    return {
      module: IngressModule,
      imports: options.http === false ? [] : [ObservabilityModule],
      controllers: [RequestsController, OpenAiController, RequestsTopicController, AdminPromptsController, AdminCacheController, AdminTenantsController, AdminKeysController],
      providers: [
        { provide: INGRESS_DEPS, useValue: deps },
        { provide: TenantRateLimiter, useFactory: (d: IngressDeps) => new TenantRateLimiter(d.tenants), inject: [INGRESS_DEPS] },
        TenantKeys,
        TenantGuard,
        TenantChangesPoller,
        UsageRecorder,
        // Global too, so errors fastify raises before a route runs (body over the limit, bad JSON) get the same body.
        { provide: APP_FILTER, useClass: ApiErrorFilter },
        PromptResolver,
        RegistryEventsListener,
        AdminGuard,
        {
          provide: PromptRegistryService,
          useFactory: () => new PromptRegistryService(deps.registry, new PublisherRegistryEvents(deps.publisher), deps.promotionGate ?? null),
        },
        RequestLedger,
        OutcomeWaiters,
        OutcomeListener,
        SubmitRequestUseCase,
        SubmitAndWaitService,
        ChunkWaiters,
        ChunkListener,
        StreamService,
      ],
    };
  }
}
