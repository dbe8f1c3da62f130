import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const forbidden = {
  bot: {
    group: ['botbuilder', 'botbuilder-*', 'botframework-*', '@microsoft/teams-ai'],
    message: 'Bot Framework and teams-ai live in src/teams/ only.',
  },
  http: { group: ['restify', 'restify-*'], message: 'restify lives in src/server/ only.' },
  db: { group: ['better-sqlite3', 'pg'], message: 'Database drivers live in src/store/ only.' },
  graph: { group: ['@microsoft/microsoft-graph-client', '@azure/*'], message: 'Graph lives in src/directory/ only.' },
  logger: { group: ['pino'], message: 'The domain receives what it needs through its ports.' },
  metrics: { group: ['prom-client'], message: 'prom-client lives in src/server/ only (server/metrics.ts).' },
};

/** Which layer may not import what: the layers of DESIGN.md, enforced. */
const layerRules = [
  { files: ['src/domain/**/*.ts'], patterns: Object.values(forbidden) },
  { files: ['src/teams/**/*.ts'], patterns: [forbidden.http, forbidden.db, forbidden.graph, forbidden.metrics] },
  { files: ['src/server/**/*.ts'], patterns: [forbidden.bot, forbidden.db, forbidden.graph] },
  { files: ['src/store/**/*.ts'], patterns: [forbidden.bot, forbidden.http, forbidden.graph, forbidden.metrics] },
  { files: ['src/directory/**/*.ts'], patterns: [forbidden.bot, forbidden.http, forbidden.db, forbidden.metrics] },
  { files: ['src/telemetry/**/*.ts'], patterns: [forbidden.bot, forbidden.http, forbidden.db, forbidden.metrics] },
  {
    files: ['src/*.ts', 'src/cards/**/*.ts', 'src/content/**/*.ts', 'src/config/**/*.ts', 'src/logging/**/*.ts'],
    patterns: [forbidden.bot, forbidden.http, forbidden.db, forbidden.graph, forbidden.metrics],
  },
].map(({ files, patterns }) => ({ files, rules: { 'no-restricted-imports': ['error', { patterns }] } }));

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'build/', 'devTools/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      'no-console': 'error',
      eqeqeq: ['error', 'always'],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  ...layerRules,
  {
    files: ['test/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      'no-console': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
