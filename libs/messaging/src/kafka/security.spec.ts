import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commonConfigSchema } from '#config';
import { kafkaSecurityFrom } from './security.js';

const dir = mkdtempSync(join(tmpdir(), 'ballast-kafka-security-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('kafkaSecurityFrom', () => {
  it('plaintext when nothing is set', () => {
    expect(kafkaSecurityFrom({})).toEqual({});
  });

  it('SCRAM-SHA-512 over TLS that verifies the broker against the CA file, password from a mounted file (trailing newline dropped)', () => {
    const ca = file('ca.crt', '-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----\n');
    const passwordFile = file('password', 's3cret-from-file\n');
    expect(kafkaSecurityFrom({ KAFKA_TLS_CA_FILE: ca, KAFKA_SASL_USERNAME: 'guardrail', KAFKA_SASL_PASSWORD_FILE: passwordFile })).toEqual({
      ssl: { rejectUnauthorized: true, ca: ['-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----\n'] },
      sasl: { mechanism: 'scram-sha-512', username: 'guardrail', password: 's3cret-from-file' },
    });
  });

  it('a client certificate and key for mutual TLS', () => {
    const security = kafkaSecurityFrom({ KAFKA_TLS_CERT_FILE: file('tls.crt', 'CERT'), KAFKA_TLS_KEY_FILE: file('tls.key', 'KEY') });
    expect(security.ssl).toEqual({ rejectUnauthorized: true, cert: 'CERT', key: 'KEY' });
  });

  it('refuses SASL without TLS, and an unreadable file names the variable and path but no content', () => {
    expect(() => kafkaSecurityFrom({ KAFKA_SASL_USERNAME: 'ingress', KAFKA_SASL_PASSWORD: 'pw-should-not-show' })).toThrow(
      'KAFKA_SASL_USERNAME needs TLS: set KAFKA_TLS=true or KAFKA_TLS_CA_FILE',
    );
    expect(() => kafkaSecurityFrom({ KAFKA_TLS: true, KAFKA_SASL_USERNAME: 'ingress', KAFKA_SASL_PASSWORD_FILE: join(dir, 'missing') })).toThrow(
      `KAFKA_SASL_PASSWORD_FILE: cannot read ${join(dir, 'missing')} (ENOENT)`,
    );
  });
});

describe('the Kafka security variables at start-up', () => {
  const problems = (env: Record<string, string>) => {
    const result = commonConfigSchema.safeParse(env);
    return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('a certificate without its key, a user without a password, and both password sources are each one clear line', () => {
    expect(problems({ KAFKA_TLS_CERT_FILE: '/tls/tls.crt' })).toEqual(['KAFKA_TLS_KEY_FILE: set KAFKA_TLS_CERT_FILE and KAFKA_TLS_KEY_FILE together']);
    expect(problems({ KAFKA_SASL_USERNAME: 'ingress' })).toEqual(['KAFKA_SASL_USERNAME: needs KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE']);
    expect(problems({ KAFKA_SASL_USERNAME: 'ingress', KAFKA_SASL_PASSWORD: 'x', KAFKA_SASL_PASSWORD_FILE: '/p' })).toEqual([
      'KAFKA_SASL_PASSWORD_FILE: set KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE, not both',
    ]);
    expect(problems({ KAFKA_SASL_PASSWORD: 'x' })).toEqual(['KAFKA_SASL_USERNAME: required when a SASL password is set']);
    expect(problems({ KAFKA_TLS: 'true', KAFKA_SASL_USERNAME: 'ingress', KAFKA_SASL_PASSWORD: 'x' })).toEqual([]);
  });
});
