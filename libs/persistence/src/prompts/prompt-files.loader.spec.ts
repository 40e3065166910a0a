import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { ERROR_CODES, type BallastError } from '#contracts';
import { SUPPORT_ANSWER_PROMPT } from '../seed/seed-prompts.js';
import { promptContentHash } from './content-hash.js';
import { parsePromptDefinition } from './prompt-definition.parser.js';
import { promptFileJsonSchema } from './prompt-file.schema.js';
import { loadPromptFile, loadPromptFiles } from './prompt-files.loader.js';
import { renderMessages } from './template.renderer.js';

const PROMPTS_DIR = join(import.meta.dirname, '../../../../prompts');

describe('loadPromptFiles', () => {
  it("loads the repository's prompts", async () => {
    const files = await loadPromptFiles(PROMPTS_DIR);
    expect(files.map((f) => f.definition.name)).toEqual(['extract-contact', 'support-answer']);
    const contact = files[0]!.definition;
    expect(contact.responseFormat).toMatchObject({ type: 'json_schema', schema: { required: ['name', 'email'] } });
    expect(renderMessages(contact.template, { text: 'Ada, ada@example.com' }).at(-1)?.content).toBe('Ada, ada@example.com');
  });

  it('matches the support-answer prompt that seedDefaults publishes', async () => {
    const file = await loadPromptFile(join(PROMPTS_DIR, 'support-answer.yaml'));
    expect(promptContentHash(file.definition)).toBe(promptContentHash(parsePromptDefinition(SUPPORT_ANSWER_PROMPT)));
  });

  describe('with broken files', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'ballast-prompts-'));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('names the file, the line and the failing field in one line', async () => {
      await writeFile(join(dir, 'bad.yaml'), 'name: bad\nmodel: sim-1\ntemplate:\n  messages:\n    - role: robot\n      content: hi\n');
      const error = (await loadPromptFiles(dir).catch((e: unknown) => e)) as BallastError;
      expect(error.code).toBe(ERROR_CODES.invalidRequest);
      expect(error.message).toMatch(new RegExp(`^${join(dir, 'bad.yaml')}:5:13: template\\.messages\\.0\\.role: `));
      expect(error.message).not.toContain('\n');
    });

    it('points a missing field at the nearest part of the file that is there', async () => {
      await writeFile(join(dir, 'nomodel.yaml'), '# no model\nname: nomodel\ntemplate:\n  messages:\n    - role: user\n      content: hi\n');
      await expect(loadPromptFiles(dir)).rejects.toThrow(/nomodel\.yaml:2:1: model: .*\(file\)|nomodel\.yaml:2:1: model: /);
    });

    it('counts the other problems of a file instead of listing them', async () => {
      await writeFile(join(dir, 'many.yaml'), 'name: many\nmodel: ""\ntemplate:\n  messages: []\nparams:\n  temperature: 9\n');
      await expect(loadPromptFiles(dir)).rejects.toThrow(/many\.yaml:2:8: model: .* \(and 2 more\)$/);
    });

    it('requires the prompt name to match the file name', async () => {
      await writeFile(join(dir, 'one.yaml'), 'name: two\nmodel: sim-1\ntemplate:\n  messages:\n    - role: user\n      content: hi\n');
      await expect(loadPromptFiles(dir)).rejects.toThrow(/one\.yaml:1:7: name: 'two' must match the file name 'one'/);
    });

    it('reports YAML syntax errors', async () => {
      await writeFile(join(dir, 'x.yml'), 'name: [unclosed\n');
      await expect(loadPromptFiles(dir)).rejects.toThrow(/x\.yml:\d+:\d+: not valid YAML: /);
    });
  });
});

describe('the prompt file JSON Schema', () => {
  const validate = new Ajv2020({ strict: false, allErrors: true }).compile(promptFileJsonSchema());

  it("accepts the repository's prompt files", async () => {
    for (const file of ['support-answer.yaml', 'extract-contact.yaml']) {
      const { readFile } = await import('node:fs/promises');
      const ok = validate(parse(await readFile(join(PROMPTS_DIR, file), 'utf8')));
      expect({ file, ok, errors: validate.errors ?? null }).toEqual({ file, ok: true, errors: null });
    }
  });

  it('rejects what the loader rejects: an unknown role, a missing model, a temperature out of range', () => {
    const good = { name: 'x', model: 'sim-1', template: { messages: [{ role: 'user', content: 'hi' }] } };
    expect(validate(good)).toBe(true);
    expect(validate({ ...good, template: { messages: [{ role: 'robot', content: 'hi' }] } })).toBe(false);
    expect(validate({ name: 'x', template: good.template })).toBe(false);
    expect(validate({ ...good, params: { temperature: 5 } })).toBe(false);
  });
});
