import { startTelemetry } from '#observability';
import { judgeConfig } from './judge.config.js';

const config = judgeConfig.loadOrExit();
await startTelemetry({ serviceName: 'judge', otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
const { runDistributedService } = await import('#runtime');
const { JudgeModule } = await import('./judge.module.js');
await runDistributedService('judge', config, ({ publisher }) => JudgeModule.register({ publisher }));
