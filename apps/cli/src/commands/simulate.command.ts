/**
 * Serves the simulator over HTTP in the OpenAI wire format, for tests, benchmarks and local
 * development against an OpenAI-compatible base URL:
 *
 *   npx ballast simulate --port 8089 --ttft lognormal:200,1500 --tps normal:60,15 --faults 429=0.05,cut=0.02
 *
 * A request can ask for a fault itself with `x-ballast-sim-fault: 429;retry-after=2;times=1`.
 */
import { parseArgs } from 'node:util';
import { startSimulatorServer } from '../../../../services/inference/src/simulator/simulator.server.js';

const USAGE = `usage: ballast simulate [options]

Serves POST /v1/chat/completions (streaming and not), POST /v1/embeddings and GET /v1/models.
  --port N             port to listen on (default 8089; 0 picks a free one)
  --host H             address to bind (default 127.0.0.1)
  --ttft D             time to first token in ms: 50, uniform:20,80, normal:50,10, lognormal:MEDIAN,P99 (default 0)
  --tps D              output tokens per second, same forms; 0 sends the answer at once (default 0)
  --chunk-tokens N     tokens per streamed chunk (default 1)
  --faults RATES       share of requests per fault: 429=0.05,500=0.02,503=0.01,hang=0.01,slow=0.05,cut=0.02,invalid-json=0.01,bad-chunk=0.01
  --retry-after S      Retry-After seconds on 429/503 (default 1)
  --slow-tps N         tokens per second of the slow fault (default 2)
  --seed N             seed for latency draws and fault picks (default 42)

Per request: header x-ballast-sim-fault: KIND[;retry-after=S][;after=CHUNKS][;tps=N][;times=N][;id=ANY]`;

export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string', default: '8089' },
        host: { type: 'string', default: '127.0.0.1' },
        ttft: { type: 'string', default: '0' },
        tps: { type: 'string', default: '0' },
        'chunk-tokens': { type: 'string', default: '1' },
        faults: { type: 'string', default: '' },
        'retry-after': { type: 'string', default: '1' },
        'slow-tps': { type: 'string', default: '2' },
        seed: { type: 'string', default: '42' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    return 64;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const numbers = { port: values.port, 'chunk-tokens': values['chunk-tokens'], 'retry-after': values['retry-after'], 'slow-tps': values['slow-tps'], seed: values.seed };
  for (const [name, raw] of Object.entries(numbers)) {
    if (!/^\d+(\.\d+)?$/.test(raw)) {
      process.stderr.write(`--${name} needs a number (got "${raw}")\n\n${USAGE}\n`);
      return 64;
    }
  }
  let server;
  try {
    server = await startSimulatorServer({
      port: Number(values.port),
      host: values.host,
      ttft: values.ttft,
      tokensPerSecond: values.tps,
      tokensPerChunk: Number(values['chunk-tokens']),
      faults: values.faults,
      retryAfterSeconds: Number(values['retry-after']),
      slowTokensPerSecond: Number(values['slow-tps']),
      seed: Number(values.seed),
    });
  } catch (error) {
    process.stderr.write(`ballast simulate: ${(error as Error).message}\n`);
    return 64;
  }
  process.stdout.write(
    `simulator listening on ${server.url} — OpenAI base URL ${server.url}/v1, any model name (sim-1, sim-large, sim-embed listed)\n` +
      `  ttft ${values.ttft} ms, ${values.tps} tokens/s${values.faults ? `, faults ${values.faults}` : ''}\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  return 0;
}
