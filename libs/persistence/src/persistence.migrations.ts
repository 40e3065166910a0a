import { Registry1700000000000 } from './migrations/1700000000000-registry.migration.js';
import { CacheEntries1764972000000 } from './migrations/1764972000000-cache-entries.migration.js';
import { RegistryCanary1796500000000 } from './migrations/1796500000000-registry-canary.migration.js';
import { TenantLimits1796600000000 } from './migrations/1796600000000-tenant-limits.migration.js';
import { EvalRuns1796800000000 } from './migrations/1796800000000-eval-runs.migration.js';
import { MetricsHistory1797000000000 } from './migrations/1797000000000-metrics-history.migration.js';
import { MetricsAlerts1797100000000 } from './migrations/1797100000000-metrics-alerts.migration.js';
import { TenantAdmin1797200000000 } from './migrations/1797200000000-tenant-admin.migration.js';

/** Every migration, oldest first. pgvector tables are not here: Postgres may lack the extension. */
export const PERSISTENCE_MIGRATIONS = [Registry1700000000000, CacheEntries1764972000000, RegistryCanary1796500000000, TenantLimits1796600000000, EvalRuns1796800000000, MetricsHistory1797000000000, MetricsAlerts1797100000000, TenantAdmin1797200000000];
