import { ApiKeyEntity } from './entities/api-key.entity.js';
import { LabelEventEntity } from './entities/label-event.entity.js';
import { ProcessedMessageEntity } from './entities/processed-message.entity.js';
import { PromptLabelEntity } from './entities/prompt-label.entity.js';
import { PromptVersionEntity } from './entities/prompt-version.entity.js';
import { PromptEntity } from './entities/prompt.entity.js';
import { TenantEntity } from './entities/tenant.entity.js';

export {
  ApiKeyEntity,
  LabelEventEntity,
  ProcessedMessageEntity,
  PromptEntity,
  PromptLabelEntity,
  PromptVersionEntity,
  TenantEntity,
};
export type { LabelTraffic } from './entities/prompt-label.entity.js';

export const PERSISTENCE_ENTITIES = [
  PromptEntity,
  PromptVersionEntity,
  PromptLabelEntity,
  LabelEventEntity,
  TenantEntity,
  ApiKeyEntity,
  ProcessedMessageEntity,
];
