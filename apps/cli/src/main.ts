/**
 * `npx ballast <command>`: the operator and prompt-engineer tools (see `program.ts`; commands live
 * in `commands/<group>.command.ts`).
 */
import { runCli } from './program.js';

process.exitCode = await runCli(process.argv.slice(2));
