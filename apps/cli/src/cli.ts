/**
 * What every `ballast` command shares: exit codes, the error types actions throw, the wrapper that
 * turns an action's result into the exit code, and one-line error messages.
 */
import { InvalidArgumentError, type Command } from 'commander';

/** Exit codes: 0 done, 1 runtime error, 2 a check failed (`guard scan --fail-on`), 64 usage error (sysexits.h EX_USAGE). */
export const EXIT = { ok: 0, error: 1, checkFailed: 2, usage: 64 } as const;

/** A failure the user can act on (a missing file, an unreachable database): printed as one line, exit 1. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.error,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Wrong arguments found after parsing (commander reports its own): printed as one line with a pointer to --help, exit 64. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.usage);
    this.name = 'UsageError';
  }
}

let actionExitCode: number = EXIT.ok;

/** The exit code the last action asked for (see `action`); reset before each run. */
export function takeActionExitCode(): number {
  const code = actionExitCode;
  actionExitCode = EXIT.ok;
  return code;
}

/**
 * Wraps a command's action: its resolved number becomes the process's exit code.
 *
 * @example program.command('scan').action(action(async (options) => (await scan(options)) ? EXIT.ok : EXIT.checkFailed));
 */
export function action<A extends unknown[]>(run: (...args: A) => Promise<number | void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    actionExitCode = (await run(...args)) ?? EXIT.ok;
  };
}

/** The command's full name for messages: `ballast guard scan`. */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** One line for any error: the message with newlines folded, or what the system call reports. */
export function oneLine(error: unknown): string {
  if (error instanceof AggregateError && !error.message) return error.errors.map(oneLine).join('; ');
  const text = error instanceof Error ? error.message || (error as NodeJS.ErrnoException).code || error.name : String(error);
  return text.replace(/\s*\n\s*/g, '; ').trim();
}

/** A command group (`guard`, later `prompts`, `cache`, `eval`): a missing or unknown subcommand is a usage error naming the choices. */
export function commandGroup(parent: Command, name: string, summary: string): Command {
  const group = parent.command(name).summary(summary).description(summary).usage('<command> [options]');
  group.argument('[command]').action((sub: string | undefined) => {
    const choices = group.commands.map((c) => c.name()).join(', ');
    throw new UsageError(sub === undefined ? `a command is required (one of: ${choices})` : `unknown command '${sub}' (one of: ${choices})`);
  });
  return group;
}

/** An option parser for a non-negative number (`--port 8089`). */
export function nonNegativeNumber(raw: string): number {
  if (!/^\d+(\.\d+)?$/.test(raw.trim())) throw new InvalidArgumentError('Expected a non-negative number.');
  return Number(raw);
}

/** An option parser that checks the value with `check` (which throws with the reason) and keeps the text. */
export function checkedText(check: (raw: string) => unknown): (raw: string) => string {
  return (raw) => {
    try {
      check(raw);
    } catch (error) {
      const reason = oneLine(error);
      throw new InvalidArgumentError(`${reason.charAt(0).toUpperCase()}${reason.slice(1)}.`);
    }
    return raw;
  };
}
