import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ERROR_CODES } from '#contracts';
import { SUPPORT_ANSWER_PROMPT } from '../seed/seed-prompts.js';
import { promptContentHash } from './content-hash.js';
import { parsePromptDefinition } from './prompt-definition.parser.js';
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

    it('names the file and the failing field', async () => {
      await writeFile(join(dir, 'bad.yaml'), 'name: bad\nmodel: sim-1\ntemplate:\n  messages:\n    - role: robot\n      content: hi\n');
      await expect(loadPromptFiles(dir)).rejects.toMatchObject({
        code: ERROR_CODES.invalidRequest,
        message: expect.stringMatching(/bad\.yaml[\s\S]*role/),
      });
    });

    it('requires the prompt name to match the file name', async () => {
      await writeFile(join(dir, 'one.yaml'), 'name: two\nmodel: sim-1\ntemplate:\n  messages:\n    - role: user\n      content: hi\n');
      await expect(loadPromptFiles(dir)).rejects.toThrow(/must match the file name 'one'/);
    });

    it('reports YAML syntax errors', async () => {
      await writeFile(join(dir, 'x.yml'), 'name: [unclosed\n');
      await expect(loadPromptFiles(dir)).rejects.toThrow(/x\.yml: not valid YAML/);
    });
  });
});
