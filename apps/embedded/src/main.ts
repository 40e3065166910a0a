import { loadConfigOrExit, serviceConfig } from '#config';
import { startTelemetry } from '#observability';
import { z } from 'zod';

const config = loadConfigOrExit(
  serviceConfig({
    BALLAST_API_KEY: z.string().min(1).default('dev-key'),
    BALLAST_HOST: z.string().default('127.0.0.1'),
    BALLAST_PROMPTS_DIR: z.string().default('prompts'),
  }),
);
await startTelemetry({ serviceName: 'ballast', otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
const { startEmbedded } = await import('./embedded.js');

const started = performance.now();
const ballast = await startEmbedded({
  port: config.BALLAST_PORT,
  host: config.BALLAST_HOST,
  dataDir: config.BALLAST_DATA_DIR,
  apiKey: config.BALLAST_API_KEY,
  promptsDir: config.BALLAST_PROMPTS_DIR,
  concurrency: config.BALLAST_CONSUMER_CONCURRENCY,
});
const seconds = ((performance.now() - started) / 1000).toFixed(1);
process.stdout.write(`Ballast (embedded) is up on ${ballast.url} in ${seconds} s — six stages, in-memory bus, PGlite in ${config.BALLAST_DATA_DIR}, simulator model.

Try it:
  curl -s ${ballast.url}/v1/requests?wait=true \\
    -H 'authorization: Bearer ${config.BALLAST_API_KEY}' -H 'content-type: application/json' \\
    -d '{"requestId":"hello-1","prompt":{"name":"support-answer"},"variables":{"question":"Where is my parcel?"}}'

  OpenAI SDK: baseURL ${ballast.url}/v1, apiKey ${config.BALLAST_API_KEY}, model "prompt:support-answer" or "sim-1"
  Metrics: ${ballast.url}/metrics
`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void ballast.stop().then(() => process.exit(0));
  });
}
