import { configureObservability, startTelemetry } from '#observability';
import { judgeConfig } from './judge.config.js';

const config = judgeConfig.loadOrExit();
configureObservability(config);
await startTelemetry({ serviceName: 'judge', otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
const { runDistributedService } = await import('#runtime');
const { JudgeModule } = await import('./judge.module.js');
const { judgeDepsFromConfig } = await import('./judge.deps.js');
await runDistributedService('judge', config, ({ publisher }) => JudgeModule.register(judgeDepsFromConfig(config, { publisher })));
