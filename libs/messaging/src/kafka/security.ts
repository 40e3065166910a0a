import { readFileSync } from 'node:fs';
import type { KafkaConfig, SASLOptions } from 'kafkajs';

/** The Kafka security settings of a service's config (README: `KAFKA_TLS*`, `KAFKA_SASL_*`). */
export interface KafkaSecuritySettings {
  KAFKA_TLS?: boolean | undefined;
  KAFKA_TLS_CA_FILE?: string | undefined;
  KAFKA_TLS_CERT_FILE?: string | undefined;
  KAFKA_TLS_KEY_FILE?: string | undefined;
  KAFKA_SASL_MECHANISM?: 'scram-sha-512' | 'scram-sha-256' | 'plain' | undefined;
  KAFKA_SASL_USERNAME?: string | undefined;
  KAFKA_SASL_PASSWORD?: string | undefined;
  KAFKA_SASL_PASSWORD_FILE?: string | undefined;
}

export interface KafkaSecurity {
  ssl?: KafkaConfig['ssl'];
  sasl?: SASLOptions;
}

function readSecretFile(variable: string, path: string, trim: boolean): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    // The path is configuration, not a secret; the content never appears in a message.
    throw new Error(`${variable}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { cause: error });
  }
  return trim ? text.trim() : text;
}

/**
 * kafkajs `ssl` and `sasl` from the environment: TLS with the broker's certificate always verified
 * (against `KAFKA_TLS_CA_FILE`, or Node's CA bundle), an optional client certificate (mTLS), and
 * SASL/SCRAM-SHA-512 by default. Secrets come from variables or mounted files and are read here,
 * once, at start-up; nothing here logs them. SASL without TLS is refused: the password exchange and
 * every record would cross the network in the clear.
 */
export function kafkaSecurityFrom(settings: KafkaSecuritySettings): KafkaSecurity {
  const tls = settings.KAFKA_TLS === true || Boolean(settings.KAFKA_TLS_CA_FILE || settings.KAFKA_TLS_CERT_FILE || settings.KAFKA_TLS_KEY_FILE);
  const out: KafkaSecurity = {};
  if (tls) {
    out.ssl = {
      rejectUnauthorized: true,
      ...(settings.KAFKA_TLS_CA_FILE ? { ca: [readSecretFile('KAFKA_TLS_CA_FILE', settings.KAFKA_TLS_CA_FILE, false)] } : {}),
      ...(settings.KAFKA_TLS_CERT_FILE ? { cert: readSecretFile('KAFKA_TLS_CERT_FILE', settings.KAFKA_TLS_CERT_FILE, false) } : {}),
      ...(settings.KAFKA_TLS_KEY_FILE ? { key: readSecretFile('KAFKA_TLS_KEY_FILE', settings.KAFKA_TLS_KEY_FILE, false) } : {}),
    };
  }
  if (settings.KAFKA_SASL_USERNAME) {
    if (!tls) throw new Error('KAFKA_SASL_USERNAME needs TLS: set KAFKA_TLS=true or KAFKA_TLS_CA_FILE');
    const password = settings.KAFKA_SASL_PASSWORD_FILE
      ? readSecretFile('KAFKA_SASL_PASSWORD_FILE', settings.KAFKA_SASL_PASSWORD_FILE, true)
      : settings.KAFKA_SASL_PASSWORD;
    if (!password) throw new Error('KAFKA_SASL_USERNAME needs KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE');
    const mechanism = settings.KAFKA_SASL_MECHANISM ?? 'scram-sha-512';
    out.sasl = { mechanism, username: settings.KAFKA_SASL_USERNAME, password } as SASLOptions;
  }
  return out;
}
