import { z } from 'zod';

/** Fields every message on every topic carries, whatever its payload. */
export const EnvelopeHeader = z.object({
  id: z.string().min(1).max(200),
  type: z.string().min(1).max(100),
  schemaVersion: z.number().int().positive(),
  requestId: z.string().min(1).max(200),
  tenantId: z.string().min(1).max(100),
  createdAt: z.iso.datetime({ offset: true }),
  deadline: z.iso.datetime({ offset: true }).nullable(),
  attempt: z.number().int().nonnegative(),
});
export type EnvelopeHeader = z.infer<typeof EnvelopeHeader>;

/** Builds the envelope schema for one payload schema. */
export function envelopeOf<P extends z.ZodType>(payload: P) {
  return EnvelopeHeader.extend({ payload });
}

export type Envelope<P> = EnvelopeHeader & { payload: P };

/** The envelope with a payload not yet checked: what a consumer can parse before it knows the type. */
export const AnyEnvelope = envelopeOf(z.unknown());
