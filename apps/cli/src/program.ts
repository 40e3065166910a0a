/**
 * The `ballast` command line: a commander program with one file per command group in `commands/`,
 * each exporting `register(program)`. Help, version, usage errors and exit codes are handled here
 * once, so every command behaves the same way (see `cli.ts` for the exit codes).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { CliError, EXIT, commandPath, oneLine, takeActionExitCode } from './cli.js';
import { register as registerCache } from './commands/cache.command.js';
import { register as registerGuard } from './commands/guard.command.js';
import { register as registerKeys } from './commands/keys.command.js';
import { register as registerMigrate } from './commands/migrate.command.js';
import { register as registerEval } from './commands/eval.command.js';
import { register as registerPrompts } from './commands/prompts.command.js';
import { register as registerSeed } from './commands/seed.command.js';
import { register as registerSimulate } from './commands/simulate.command.js';
import { register as registerTenants } from './commands/tenants.command.js';

const COMMAND_GROUPS: ReadonlyArray<(program: Command) => void> = [registerSeed, registerMigrate, registerGuard, registerPrompts, registerEval, registerSimulate, registerCache, registerTenants, registerKeys];

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

const processIo: CliIo = { stdout: (text) => void process.stdout.write(text), stderr: (text) => void process.stderr.write(text) };

/** The root program with every command registered; output goes through `io`. */
export function createProgram(io: CliIo = processIo): Command {
  const program = new Command('ballast')
    .description('Ballast tools for operators and prompt engineers. Exit codes: 0 done, 1 error, 2 check failed, 64 usage error.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .helpCommand('help [command]', 'show help for a command');
  for (const registerGroup of COMMAND_GROUPS) registerGroup(program);
  configureTree(program, io);
  return program;
}

/**
 * Runs the CLI on `argv` (without `node` and the script) and resolves to the exit code; never
 * throws and never prints a stack trace.
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const program = createProgram(io);
  if (argv.length === 0) {
    io.stdout(program.helpInformation());
    return EXIT.ok;
  }
  let current: Command = program;
  program.hook('preAction', (_root, actionCommand) => {
    current = actionCommand;
  });
  takeActionExitCode();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return takeActionExitCode();
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; every other commander error is a usage error it has already printed.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const path = commandPath(current);
    if (error instanceof CliError) {
      io.stderr(`${path}: ${oneLine(error)}${error.exitCode === EXIT.usage ? ` (see '${path} --help')` : ''}\n`);
      return error.exitCode;
    }
    io.stderr(`${path}: ${oneLine(error)}\n`);
    return EXIT.error;
  }
}

// Commander copies settings to subcommands only when they are created, so apply them to the whole tree.
function configureTree(command: Command, io: CliIo): void {
  const path = commandPath(command);
  command
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: io.stdout,
      writeErr: io.stderr,
      outputError: (text, write) => write(`${path}: ${text.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ').trim()} (see '${path} --help')\n`),
    });
  for (const sub of command.commands) configureTree(sub, io);
}

// The CLI runs from apps/cli/src (tests) or dist/apps/cli/src (built): find the project's package.json above either.
function packageVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'ballast' && pkg.version) return pkg.version;
    } catch {
      // No package.json here: look one level up.
    }
  }
  return 'unknown';
}
