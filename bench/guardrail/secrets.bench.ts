import { seededRandom } from '#models';
import { PiiDetector } from '../../services/guardrail/src/detectors/pii/pii.detector.js';
import { DEFAULT_POLICY } from '../../services/guardrail/src/policy/guardrail-policy.js';
import { scanText } from '../../services/guardrail/src/scan/guard-scanner.js';

export interface SecretRow {
  kind: string;
  /** `secret`: should be marked SECRET; `benign id`: must not be. */
  expect: 'secret' | 'benign id';
  n: number;
  /** Texts with a SECRET span. */
  marked: number;
  /** An example text of the kind. */
  example: string;
}

const N = 500;
const PII = [new PiiDetector()];
const HEX = '0123456789abcdef';
const DIGITS = '0123456789';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const BASE62 = `${DIGITS}${UPPER}abcdefghijklmnopqrstuvwxyz`;
const BASE64URL = `${BASE62}-_`;
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * Random identifiers of the kinds that travel in support and commerce requests (order numbers,
 * UUIDs, hashes in URLs, tracking codes, database and payment object ids), and real-looking keys,
 * generated with a fixed seed: the SECRET recogniser must mark the keys and none of the ids.
 */
export function runSecretsBench(seed = 1842): SecretRow[] {
  const random = seededRandom(seed);
  const pick = (alphabet: string, n: number) => Array.from({ length: n }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
  const uuid = () => `${pick(HEX, 8)}-${pick(HEX, 4)}-4${pick(HEX, 3)}-${pick('89ab', 1)}${pick(HEX, 3)}-${pick(HEX, 12)}`;
  const kinds: Array<{ kind: string; expect: SecretRow['expect']; make: () => string }> = [
    { kind: 'order number [NNNN-hhhh]', expect: 'benign id', make: () => `Where is my parcel? order [${pick(DIGITS, 4)}-${pick(HEX, 4)}]` },
    { kind: 'order number ABC-NNNNNN-hhhhhhhh', expect: 'benign id', make: () => `Refund for order ${pick(UPPER, 3)}-${pick(DIGITS, 6)}-${pick(HEX, 8)} please` },
    { kind: 'UUID', expect: 'benign id', make: () => `my request id is ${uuid()}` },
    { kind: 'UUID, upper case', expect: 'benign id', make: () => `ticket ${uuid().toUpperCase()} is still open` },
    { kind: 'git commit in a URL', expect: 'benign id', make: () => `the fix is https://github.com/acme/shop/commit/${pick(HEX, 40)}` },
    { kind: 'sha256 digest', expect: 'benign id', make: () => `image digest sha256:${pick(HEX, 64)}` },
    { kind: 'UPS tracking code', expect: 'benign id', make: () => `tracking 1Z${pick(UPPER + DIGITS, 16)} shows no update` },
    { kind: 'postal tracking code', expect: 'benign id', make: () => `Royal Mail ${pick(UPPER, 2)}${pick(DIGITS, 9)}GB, USPS ${pick(DIGITS, 22)}` },
    { kind: 'ULID', expect: 'benign id', make: () => `event ${pick('01', 1)}${pick(CROCKFORD, 25)} failed` },
    { kind: 'database object id (24 hex)', expect: 'benign id', make: () => `customer ${pick(HEX, 24)} cannot log in` },
    { kind: 'payment object ids (pi_, cus_)', expect: 'benign id', make: () => `payment pi_${pick(BASE62, 24)} for cus_${pick(BASE62, 14)} was declined` },
    { kind: 'nanoid (21)', expect: 'benign id', make: () => `share link id ${pick(BASE64URL, 21)}` },
    // As random as a key and as long: only context could tell them apart, and a bare one has none.
    { kind: 'file id, 44 base62 (bare, no context)', expect: 'benign id', make: () => `please open file 1${pick(BASE62, 43)} again` },
    { kind: 'OpenAI key sk-proj-…', expect: 'secret', make: () => `my key is sk-proj-${pick(BASE62, 48)}` },
    { kind: 'GitHub token ghp_…', expect: 'secret', make: () => `use ghp_${pick(BASE62, 36)} for the CI` },
    { kind: 'AWS access key id AKIA…', expect: 'secret', make: () => `aws AKIA${pick(UPPER + DIGITS, 16)}` },
    { kind: 'Slack token xoxb-…', expect: 'secret', make: () => `bot xoxb-${pick(DIGITS, 12)}-${pick(DIGITS, 13)}-${pick(BASE62, 24)}` },
    { kind: 'assignment api_key=…', expect: 'secret', make: () => `api_key=${pick(BASE62, 24)}` },
    { kind: 'assignment token: …', expect: 'secret', make: () => `token: ${pick(BASE62, 32)}` },
    { kind: 'bare random token after a credential word', expect: 'secret', make: () => `my session cookie is now 1${pick(BASE62, 43)}` },
  ];
  return kinds.map(({ kind, expect, make }) => {
    const texts = Array.from({ length: N }, make);
    const marked = texts.filter((t) => scanText(t, { phase: 'input', source: 'message', policy: DEFAULT_POLICY }, PII).verdicts.some((v) => v.spans.some((s) => s.entity === 'SECRET'))).length;
    return { kind, expect, n: N, marked, example: texts[0]! };
  });
}
