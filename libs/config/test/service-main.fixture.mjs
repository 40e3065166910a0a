// Stands in for a service's main.ts: Node 24 strips the types, this hook maps `.js` imports to the `.ts` sources.
import { existsSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { fileURLToPath } from 'node:url';

registerHooks({
  resolve(specifier, context, next) {
    if (specifier.startsWith('.') && specifier.endsWith('.js') && context.parentURL) {
      const source = new URL(specifier.replace(/\.js$/, '.ts'), context.parentURL);
      if (existsSync(fileURLToPath(source))) return next(source.href, context);
    }
    return next(specifier, context);
  },
});

const { commonConfigSchema, loadConfigOrExit } = await import('../src/index.ts');
const config = loadConfigOrExit(commonConfigSchema);
process.stdout.write(`listening on ${config.BALLAST_PORT}\n`);
