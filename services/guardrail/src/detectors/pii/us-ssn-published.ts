import { z } from 'zod';
import data from './us-ssn-published.json' with { type: 'json' };

const PublishedSsns = z.object({
  description: z.string().min(1),
  numbers: z.array(z.string().regex(/^\d{3}-\d{2}-\d{4}$/, 'an SSN written NNN-NN-NNNN')).min(1),
});

/**
 * Reads the list of published SSNs (`us-ssn-published.json`) into digit strings.
 *
 * @throws Error naming the entry that is not an SSN written NNN-NN-NNNN
 */
export function loadPublishedSsns(raw: unknown): ReadonlySet<string> {
  const parsed = PublishedSsns.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`us-ssn-published.json: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return new Set(parsed.data.numbers.map((n) => n.replace(/-/g, '')));
}

const PUBLISHED = loadPublishedSsns(data);

/** Whether the SSN is one of the published ones: still redacted, but with less confidence. */
export function isPublishedSsn(area: string, group: string, serial: string): boolean {
  return PUBLISHED.has(`${area}${group}${serial}`);
}
