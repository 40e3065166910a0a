/**
 * `npx ballast <command>`: the operator and prompt-engineer tools. Each command lives in
 * `commands/<name>.command.ts` and exports `run(argv): Promise<number>` (the exit code).
 */
interface Command {
  summary: string;
  load: () => Promise<{ run(argv: string[]): Promise<number> }>;
}

const COMMANDS: Record<string, Command> = {
  seed: { summary: 'seed a Postgres registry: tenant demo, its API key, prompts/*.yaml', load: () => import('./commands/seed.command.js') },
  guard: { summary: 'scan texts (JSON lines on stdin) with the guardrail detectors: guard scan --phase input|output', load: () => import('./commands/guard.command.js') },
  simulate: { summary: 'serve the simulator model over HTTP (OpenAI wire format, latency and fault injection)', load: () => import('./commands/simulate.command.js') },
};

const [name, ...argv] = process.argv.slice(2);
const command = name ? COMMANDS[name] : undefined;
if (!command) {
  const list = Object.entries(COMMANDS).map(([n, c]) => `  ballast ${n.padEnd(10)} ${c.summary}`).join('\n');
  process.stderr.write(`${name ? `unknown command "${name}"\n\n` : ''}usage: ballast <command> [options]\n\n${list}\n`);
  process.exit(name ? 64 : 0);
}
process.exitCode = await (await command.load()).run(argv);
