import { loadConfigOrExit, serviceConfig } from '#config';
import { createLogger, startTelemetry } from '#observability';
import { z } from 'zod';

const config = loadConfigOrExit(
  serviceConfig({
    BALLAST_API_KEY: z.string().min(1).default('dev-key'),
    BALLAST_HOST: z.string().default('127.0.0.1'),
    BALLAST_PROMPTS_DIR: z.string().default('prompts'),
  }),
);
await startTelemetry({ serviceName: 'ballast', otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
const { EX_PORT_IN_USE, exitGracefullyOnSignals, exitIfPortInUse, isAddressInUse, portInUseMessage } = await import('#runtime');
const { apiKeyPrefix } = await import('#persistence');
const { startEmbedded } = await import('./embedded.js');

// Before PGlite and six apps start, so a taken port costs a second, not the whole start-up.
await exitIfPortInUse(config.BALLAST_PORT, config.BALLAST_HOST);
const started = performance.now();
const ballast = await startEmbedded({
  port: config.BALLAST_PORT,
  host: config.BALLAST_HOST,
  dataDir: config.BALLAST_DATA_DIR,
  apiKey: config.BALLAST_API_KEY,
  promptsDir: config.BALLAST_PROMPTS_DIR,
  concurrency: config.BALLAST_CONSUMER_CONCURRENCY,
}).catch((error: unknown) => {
  if (!isAddressInUse(error)) throw error;
  process.stderr.write(`${portInUseMessage(config.BALLAST_PORT)}\n`);
  return process.exit(EX_PORT_IN_USE);
});
const graceMs = config.BALLAST_SHUTDOWN_GRACE_MS;
exitGracefullyOnSignals({ graceMs, logger: createLogger({ service: 'embedded' }), stop: () => ballast.stop({ graceMs }) });

const seconds = ((performance.now() - started) / 1000).toFixed(1);
const url = ballast.url;
// Printed last, after every start-up log line, so it is what stays on screen. The key itself is never printed.
process.stdout.write(`
Ballast (embedded) is up on ${url} in ${seconds} s: six stages, in-memory bus, PGlite in ${config.BALLAST_DATA_DIR}, simulator model.
API key ${apiKeyPrefix(config.BALLAST_API_KEY)}… (BALLAST_API_KEY; export it to run this line):
  curl -s '${url}/v1/requests?wait=true' -H "authorization: Bearer $BALLAST_API_KEY" -H 'content-type: application/json' \\
    -d '{"requestId":"hello-1","prompt":{"name":"support-answer"},"variables":{"question":"Where is my parcel?"}}'
OpenAI SDK: baseURL ${url}/v1, model "prompt:support-answer" or "sim-1". Health ${url}/health, metrics ${url}/metrics
`);
