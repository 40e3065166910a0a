// The secure local broker's CA and SCRAM credentials (`npm run kafka:up -- --secure` writes them under
// .kafka/secure/). Set BALLAST_TEST_KAFKA_SECURE_DIR (and KAFKA_BROKERS=127.0.0.1:9094) to run the Kafka
// infra specs against it: test clients connect as the `admin` super user, service processes as themselves.
import { join } from 'node:path';

export interface SecureKafkaFiles {
  dir: string;
  caFile: string;
  passwordFile(user: string): string;
}

export function secureKafkaFiles(dir: string): SecureKafkaFiles {
  return { dir, caFile: join(dir, 'tls', 'ca.crt'), passwordFile: (user) => join(dir, 'credentials', `${user}.password`) };
}

/** The secure broker's files when the environment asks for it, else null (the plain broker). */
export function secureKafkaFromEnv(env: NodeJS.ProcessEnv = process.env): SecureKafkaFiles | null {
  const dir = env.BALLAST_TEST_KAFKA_SECURE_DIR;
  return dir ? secureKafkaFiles(dir) : null;
}

/** The environment a service process needs to connect as `user` (the same variables the chart sets). */
export function serviceKafkaEnv(files: SecureKafkaFiles, user: string): Record<string, string> {
  return { KAFKA_TLS_CA_FILE: files.caFile, KAFKA_SASL_USERNAME: user, KAFKA_SASL_PASSWORD_FILE: files.passwordFile(user) };
}

