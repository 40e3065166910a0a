import { z } from 'zod';
import { PromptDefinition } from './prompt-definition.schema.js';

/** Where the generated schema is published (`npm run contracts:schema` writes it to `schemas/`). */
export const PROMPT_FILE_SCHEMA_ID = 'https://ballast.dev/schemas/prompt-file.schema.json';

/**
 * JSON Schema (draft 2020-12) for `prompts/*.yaml`, generated from the zod schema the loader and the
 * registry use; the input side, since defaults may be left out of a file.
 */
export function promptFileJsonSchema(): Record<string, unknown> {
  return {
    $id: PROMPT_FILE_SCHEMA_ID,
    title: 'Ballast prompt file (prompts/*.yaml)',
    ...z.toJSONSchema(PromptDefinition, { io: 'input' }),
  };
}
