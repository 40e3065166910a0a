/**
 * The JSON Schema `format`s Ballast checks: the ones answer schemas and the public message schemas
 * use most. One table for every ajv instance, so a format means the same thing everywhere.
 */
export const JSON_FORMATS: Readonly<Record<string, RegExp>> = {
  email: /^[^\s@]+@[^\s@]+\.[^\s@]+$/,
  'date-time': /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/,
  date: /^\d{4}-\d{2}-\d{2}$/,
  time: /^\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?$/,
  uri: /^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s]*$/,
  uuid: /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
  ipv4: /^((25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(25[0-5]|2[0-4]\d|1?\d?\d)$/,
};

/**
 * Registers `JSON_FORMATS` on an ajv instance (any draft) and returns it.
 *
 * @example const ajv = withJsonFormats(new Ajv2020({ allErrors: true }));
 */
export function withJsonFormats<T extends { addFormat(name: string, format: RegExp): unknown }>(ajv: T): T {
  for (const [name, pattern] of Object.entries(JSON_FORMATS)) ajv.addFormat(name, pattern);
  return ajv;
}
