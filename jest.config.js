// Two projects: `unit` runs everywhere with in-memory fakes and PGlite; `infra` needs a real
// Kafka broker (npm run kafka:up) and Postgres (DATABASE_URL).
const shared = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^#(contracts|messaging|persistence|observability|config|testing|runtime|models)$': '<rootDir>/libs/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
  setupFiles: ['<rootDir>/jest.setup.js'],
};
export default {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts', '<rootDir>/services/**/*.spec.ts', '<rootDir>/services/*/test/*.e2e-spec.ts', '<rootDir>/apps/*/test/*.e2e-spec.ts', '<rootDir>/test/*.spec.ts'],
    },
    {
      ...shared,
      displayName: 'infra',
      testMatch: ['<rootDir>/libs/**/*.infra-spec.ts', '<rootDir>/services/**/*.infra-spec.ts', '<rootDir>/test/*.infra-spec.ts'],
    },
  ],
};
