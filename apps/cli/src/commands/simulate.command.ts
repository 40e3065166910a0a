/**
 * Serves the simulator over HTTP in the OpenAI wire format, for tests, benchmarks and local
 * development against an OpenAI-compatible base URL:
 *
 *   npx ballast simulate --port 8089 --ttft lognormal:200,1500 --tps normal:60,15 --faults 429=0.05,cut=0.02
 *
 * A request can ask for a fault itself with `x-ballast-sim-fault: 429;retry-after=2;times=1`.
 */
import type { Command } from 'commander';
import { parseFaultRates } from '../../../../services/inference/src/simulator/faults.js';
import { parseDistribution } from '../../../../services/inference/src/simulator/latency.js';
import { CliError, action, checkedText, nonNegativeNumber } from '../cli.js';

interface SimulateOptions {
  port: number;
  host: string;
  ttft: string;
  tps: string;
  chunkTokens: number;
  faults: string;
  retryAfter: number;
  slowTps: number;
  seed: number;
}

export function register(program: Command): void {
  program
    .command('simulate')
    .summary('serve the simulator model over HTTP (OpenAI wire format, latency and fault injection)')
    .description('Serves POST /v1/chat/completions (streaming and not), POST /v1/embeddings and GET /v1/models until stopped (Ctrl-C).')
    .option('--port <n>', 'port to listen on; 0 picks a free one', nonNegativeNumber, 8089)
    .option('--host <address>', 'address to bind', '127.0.0.1')
    .option('--ttft <distribution>', 'time to first token in ms: 50, uniform:20,80, normal:50,10, lognormal:MEDIAN,P99', checkedText(parseDistribution), '0')
    .option('--tps <distribution>', 'output tokens per second, same forms; 0 sends the answer at once', checkedText(parseDistribution), '0')
    .option('--chunk-tokens <n>', 'tokens per streamed chunk', nonNegativeNumber, 1)
    .option('--faults <rates>', 'share of requests per fault: 429=0.05,500=0.02,503=0.01,hang=0.01,slow=0.05,cut=0.02,invalid-json=0.01,bad-chunk=0.01', checkedText(parseFaultRates), '')
    .option('--retry-after <seconds>', 'Retry-After seconds on 429/503', nonNegativeNumber, 1)
    .option('--slow-tps <n>', 'tokens per second of the slow fault', nonNegativeNumber, 2)
    .option('--seed <n>', 'seed for latency draws and fault picks', nonNegativeNumber, 42)
    .addHelpText('after', '\nPer request: header x-ballast-sim-fault: KIND[;retry-after=S][;after=CHUNKS][;tps=N][;times=N][;id=ANY]')
    .action(action(simulate));
}

async function simulate(options: SimulateOptions): Promise<number> {
  const { startSimulatorServer } = await import('../../../../services/inference/src/simulator/simulator.server.js');
  let server;
  try {
    server = await startSimulatorServer({
      port: options.port,
      host: options.host,
      ttft: options.ttft,
      tokensPerSecond: options.tps,
      tokensPerChunk: options.chunkTokens,
      faults: options.faults,
      retryAfterSeconds: options.retryAfter,
      slowTokensPerSecond: options.slowTps,
      seed: options.seed,
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new CliError(`port ${options.port} on ${options.host} is already in use (pick another with --port)`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new CliError(`cannot listen on ${options.host}: no such local address (--host)`);
    throw error;
  }
  process.stdout.write(
    `simulator listening on ${server.url} — OpenAI base URL ${server.url}/v1, any model name (sim-1, sim-large, sim-embed listed)\n` +
      `  ttft ${options.ttft} ms, ${options.tps} tokens/s${options.faults ? `, faults ${options.faults}` : ''}\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  return 0;
}
