import { BallastError, ERROR_CODES } from '#contracts';
import { z } from 'zod';
import { PromptDefinition, type PromptDefinitionInput } from './prompt-definition.schema.js';

/** Validates and fills defaults. @throws BallastError `ballast.invalid_request` */
export function parsePromptDefinition(input: PromptDefinition | PromptDefinitionInput): PromptDefinition {
  const result = PromptDefinition.safeParse(input);
  if (result.success) return result.data;
  throw new BallastError(ERROR_CODES.invalidRequest, `invalid prompt definition: ${z.prettifyError(result.error)}`, {
    status: 400,
    cause: result.error,
  });
}
