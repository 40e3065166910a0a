// nest-cli.json (monorepo mode) must name every service, app and library as a project, and point
// `nest build <name>` / `nest start <name>` at the files `npm run build` produces, or the Nest CLI
// builds one layout and the images and README run another.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const readJson = <T>(path: string) => JSON.parse(readFileSync(join(ROOT, path), 'utf8')) as T;

interface NestProject {
  type: 'application' | 'library';
  root: string;
  sourceRoot: string;
  entryFile?: string;
  compilerOptions?: { tsConfigPath?: string };
}
interface NestCli {
  monorepo: boolean;
  root: string;
  sourceRoot: string;
  entryFile: string;
  compilerOptions: { builder: string; tsConfigPath: string; deleteOutDir?: boolean };
  projects: Record<string, NestProject>;
}

const nest = readJson<NestCli>('nest-cli.json');
const directories = (parent: string) =>
  readdirSync(join(ROOT, parent), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => `${parent}/${e.name}`)
    .sort();

describe('nest-cli.json', () => {
  const projects = Object.entries(nest.projects);

  it('is a monorepo whose default project is embedded mode, built by tsc with the build tsconfig', () => {
    expect(nest.monorepo).toBe(true);
    expect(nest.root).toBe(nest.projects.embedded!.root);
    expect(nest.sourceRoot).toBe(nest.projects.embedded!.sourceRoot);
    expect(nest.compilerOptions).toMatchObject({ builder: 'tsc', tsConfigPath: 'tsconfig.build.json', deleteOutDir: false });
  });

  it('names every directory under services/, apps/ and libs/ as a project, and nothing else', () => {
    const roots = projects.map(([, p]) => p.root).sort();
    expect(roots).toEqual([...directories('services'), ...directories('apps'), ...directories('libs')].sort());
  });

  it('calls each project by its directory name: services and apps are applications, libs are libraries', () => {
    for (const [name, project] of projects) {
      expect({ name, root: project.root.split('/').pop() }).toEqual({ name, root: name });
      expect({ name, type: project.type }).toEqual({ name, type: project.root.startsWith('libs/') ? 'library' : 'application' });
      expect({ name, sourceRoot: project.sourceRoot }).toEqual({ name, sourceRoot: `${project.root}/src` });
    }
  });

  it.each(projects.filter(([, p]) => p.type === 'application'))('%s: its entry file exists, and nest start runs what npm run build emits', (_name, project) => {
    const entry = `${project.sourceRoot}/${project.entryFile}`;
    expect({ entry, exists: existsSync(join(ROOT, `${entry}.ts`)) }).toEqual({ entry, exists: true });
    // nest start runs <outDir>/<sourceRoot>/<entryFile>.js with the outDir of the project's tsconfig.
    const tsconfigPath = project.compilerOptions?.tsConfigPath ?? nest.compilerOptions.tsConfigPath;
    const base = readJson<{ compilerOptions: { outDir: string; rootDir: string } }>('tsconfig.json');
    expect(readJson<{ extends: string }>(tsconfigPath).extends).toBe('./tsconfig.json');
    expect(`${base.compilerOptions.outDir}/${entry}.js`).toBe(`dist/${entry}.js`);
    expect(base.compilerOptions.rootDir).toBe('.');
  });

  it('builds every project with the same tsconfig as npm run build', () => {
    const scripts = readJson<{ scripts: Record<string, string> }>('package.json').scripts;
    expect(scripts.build).toBe(`tsc -b ${nest.compilerOptions.tsConfigPath}`);
    for (const [name, project] of projects) expect({ name, tsconfig: project.compilerOptions?.tsConfigPath }).toEqual({ name, tsconfig: nest.compilerOptions.tsConfigPath });
  });

  it('the images start the same entry file nest start does', () => {
    const dockerfile = readFileSync(join(ROOT, 'deploy/Dockerfile'), 'utf8');
    expect(dockerfile).toContain('dist/services/${SERVICE}/src/main.js');
    for (const service of directories('services')) expect(nest.projects[service.split('/')[1]!]).toMatchObject({ sourceRoot: `${service}/src`, entryFile: 'main' });
  });
});
