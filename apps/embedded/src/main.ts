import { createLogger, startTelemetry } from '#observability';
import { loadEmbeddedConfigOrExit } from './embedded.config.js';

// Every stage's own variables, parsed once from the environment; a bad one stops here with exit 78.
const config = loadEmbeddedConfigOrExit();
const app = config.app;
await startTelemetry({ serviceName: 'ballast', otlpEndpoint: app.OTEL_EXPORTER_OTLP_ENDPOINT });
const { EX_PORT_IN_USE, exitGracefullyOnSignals, exitIfPortInUse, isAddressInUse, portInUseMessage } = await import('#runtime');
const { apiKeyPrefix } = await import('#persistence');
const { embeddedOptionsFromConfig, startEmbedded } = await import('./embedded.js');

// Before PGlite and six apps start, so a taken port costs a second, not the whole start-up.
await exitIfPortInUse(app.BALLAST_PORT, app.BALLAST_HOST);
const started = performance.now();
const ballast = await startEmbedded(embeddedOptionsFromConfig(config)).catch((error: unknown) => {
  if (!isAddressInUse(error)) throw error;
  process.stderr.write(`${portInUseMessage(app.BALLAST_PORT)}\n`);
  return process.exit(EX_PORT_IN_USE);
});
const graceMs = app.BALLAST_SHUTDOWN_GRACE_MS;
exitGracefullyOnSignals({ graceMs, logger: createLogger({ service: 'embedded' }), stop: () => ballast.stop({ graceMs }) });

const seconds = ((performance.now() - started) / 1000).toFixed(1);
const url = ballast.url;
const DEMO_KEY = 'dev-key';
// The documented demo key may be shown (the README names it); any other key only by its prefix.
const keyShown = app.BALLAST_API_KEY === DEMO_KEY ? `${DEMO_KEY} (the demo key; set BALLAST_API_KEY to change it)` : `${apiKeyPrefix(app.BALLAST_API_KEY)}… (BALLAST_API_KEY)`;
const keyInCurl = app.BALLAST_API_KEY === DEMO_KEY ? '${BALLAST_API_KEY:-dev-key}' : '$BALLAST_API_KEY';
// Printed last, after every start-up log line, so it is what stays on screen.
process.stdout.write(`
Ballast (embedded) is up on ${url} in ${seconds} s: six stages, in-memory bus, PGlite in ${app.BALLAST_DATA_DIR}, simulator model.
API key ${keyShown}. Try it:
  curl -s '${url}/v1/requests?wait=true' -H "authorization: Bearer ${keyInCurl}" -H 'content-type: application/json' \\
    -d '{"requestId":"hello-1","prompt":{"name":"support-answer"},"variables":{"question":"Where is my parcel?"}}'
OpenAI SDK: baseURL ${url}/v1, model "prompt:support-answer" or "sim-1". Health ${url}/health, metrics ${url}/metrics
`);
