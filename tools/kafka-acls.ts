// Prints (or applies) the Kafka ACLs every Ballast service needs, derived from SERVICE_ACCESS in
// libs/contracts (the topic catalogue's readers and writers). docs/operations.md, "Credentials and ACLs".
import kafkajs from 'kafkajs';
import { ALL_TOPICS, lagReaderAcls, serviceAcls, type KafkaAcl, type ServiceName } from '#contracts';
import { kafkaSecurityFrom } from '#messaging';

const USAGE = `usage: node dist/tools/kafka-acls.js [--format commands|json] [--principal 'User:{service}'] [--bootstrap-server host:port] [--command-config file] [--apply]

Prints the ACL set of the six service principals, derived from the topic catalogue (libs/contracts/src/access.ts):
  --format commands   kafka-acls.sh --add commands, one per binding (default)
  --format json       the bindings as JSON
  --principal P       principal of each service; {service} is replaced (default User:{service})
  --keda-principal P  also the lag reader KEDA's scalers use (DESCRIBE on the shared groups and the catalogue's topics)
  --bootstrap-server  and --command-config: used in the printed commands
  --apply             create the bindings on KAFKA_BROKERS with the admin credentials in the KAFKA_TLS*/KAFKA_SASL_* variables
  --create-topics N   with --apply: first create the catalogue's missing topics with N partitions (services may not create topics)
`;

interface Options {
  format: 'commands' | 'json';
  principal: string;
  bootstrap: string;
  commandConfig: string;
  apply: boolean;
  createTopics?: number;
  kedaPrincipal?: string;
}

function fail(message: string, code = 2): never {
  process.stderr.write(`kafka-acls: ${message}\n`);
  process.exit(code);
}

function parseArgs(argv: string[]): Options {
  const options: Options = { format: 'commands', principal: 'User:{service}', bootstrap: process.env.KAFKA_BROKERS ?? 'localhost:9092', commandConfig: 'admin.properties', apply: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => argv[++i] ?? fail(`${arg} needs a value (see --help)`);
    switch (arg) {
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        process.exit(0);
      // falls through (exit does not return)
      case '--format': {
        const format = value();
        if (format !== 'commands' && format !== 'json') fail(`--format must be commands or json, not "${format}"`);
        options.format = format;
        break;
      }
      case '--principal':
        options.principal = value();
        if (!options.principal.includes('{service}')) fail('--principal must contain {service}, e.g. User:ballast-{service}');
        break;
      case '--keda-principal':
        options.kedaPrincipal = value();
        if (!/^[A-Za-z]+:.+/.test(options.kedaPrincipal)) fail('--keda-principal needs a principal such as User:keda');
        break;
      case '--bootstrap-server':
        options.bootstrap = value();
        break;
      case '--command-config':
        options.commandConfig = value();
        break;
      case '--apply':
        options.apply = true;
        break;
      case '--create-topics': {
        const n = Number(value());
        if (!Number.isInteger(n) || n < 1 || n > 10_000) fail('--create-topics needs a partition count from 1 to 10000');
        options.createTopics = n;
        break;
      }
      default:
        fail(`unknown argument "${arg}" (see --help)`);
    }
  }
  if (options.createTopics !== undefined && !options.apply) fail('--create-topics only goes with --apply');
  return options;
}

/** One `kafka-acls.sh --add` command for a binding. */
function aclCommand(acl: KafkaAcl, bootstrap: string, commandConfig: string): string {
  const resource = acl.resourceType === 'TOPIC' ? '--topic' : '--group';
  const pattern = acl.patternType === 'PREFIXED' ? ' --resource-pattern-type prefixed' : '';
  const operation = acl.operation[0] + acl.operation.slice(1).toLowerCase();
  return `kafka-acls.sh --bootstrap-server ${bootstrap} --command-config ${commandConfig} --add --allow-principal ${acl.principal} --operation ${operation} ${resource} ${acl.resourceName}${pattern}`;
}

async function apply(acls: KafkaAcl[], createTopics: number | undefined): Promise<void> {
  const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').map((b) => b.trim()).filter(Boolean);
  if (brokers.length === 0) fail('--apply needs KAFKA_BROKERS');
  const env = process.env;
  const security = kafkaSecurityFrom({
    KAFKA_TLS: env.KAFKA_TLS === 'true',
    KAFKA_TLS_CA_FILE: env.KAFKA_TLS_CA_FILE,
    KAFKA_TLS_CERT_FILE: env.KAFKA_TLS_CERT_FILE,
    KAFKA_TLS_KEY_FILE: env.KAFKA_TLS_KEY_FILE,
    KAFKA_SASL_MECHANISM: (env.KAFKA_SASL_MECHANISM as 'scram-sha-512' | undefined) ?? 'scram-sha-512',
    KAFKA_SASL_USERNAME: env.KAFKA_SASL_USERNAME,
    KAFKA_SASL_PASSWORD: env.KAFKA_SASL_PASSWORD,
    KAFKA_SASL_PASSWORD_FILE: env.KAFKA_SASL_PASSWORD_FILE,
  });
  const kafka = new kafkajs.Kafka({ brokers, clientId: 'ballast-kafka-acls', connectionTimeout: 3_000, logLevel: kafkajs.logLevel.NOTHING, ...security, retry: { retries: 2 } });
  const admin = kafka.admin();
  try {
    await admin.connect();
    if (createTopics !== undefined) {
      const existing = new Set(await admin.listTopics());
      const missing = ALL_TOPICS.filter((t) => !existing.has(t));
      if (missing.length > 0) await admin.createTopics({ topics: missing.map((topic) => ({ topic, numPartitions: createTopics })), waitForLeaders: true });
      process.stdout.write(`created ${missing.length} of ${ALL_TOPICS.length} catalogue topics\n`);
    }
    await admin.createAcls({
      acl: acls.map((acl) => ({
        principal: acl.principal,
        host: '*',
        operation: kafkajs.AclOperationTypes[acl.operation],
        permissionType: kafkajs.AclPermissionTypes.ALLOW,
        resourceType: kafkajs.AclResourceTypes[acl.resourceType],
        resourceName: acl.resourceName,
        resourcePatternType: kafkajs.ResourcePatternTypes[acl.patternType],
      })),
    });
  } catch (error) {
    fail(`cannot apply the ACLs on ${brokers.join(',')}: ${(error as Error).message}`, 1);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  process.stdout.write(`applied ${acls.length} ACL bindings on ${brokers.join(',')}\n`);
}

const options = parseArgs(process.argv.slice(2));
const acls = [
  ...serviceAcls((service: ServiceName) => options.principal.replaceAll('{service}', service)),
  ...(options.kedaPrincipal ? lagReaderAcls(options.kedaPrincipal) : []),
];
if (options.apply) await apply(acls, options.createTopics);
else if (options.format === 'json') process.stdout.write(`${JSON.stringify(acls, null, 2)}\n`);
else process.stdout.write(`${acls.map((acl) => aclCommand(acl, options.bootstrap, options.commandConfig)).join('\n')}\n`);
