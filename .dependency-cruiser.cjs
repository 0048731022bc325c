// The architecture, as rules `npm test` checks before any test runs (`npm run depcheck`).
// Domain folders say what the product does; Slack is an edge. See README, "Architecture".
const DOMAIN =
  '^src/(incidents|reminders|containment|forensics|comms|evidence|resolution|intake|paging|obligations)/';
// Features other than `incidents` (the shared kernel every feature builds on) are used from outside
// only through their public files: index.ts (the service), model.ts (its types), presenter.ts (the
// port src/slack/blocks implements) and config.ts (the schema src/config composes).
const PUBLIC = '(index|model|presenter|config)\\.ts$';
const FEATURES = [
  'reminders',
  'containment',
  'forensics',
  'comms',
  'evidence',
  'resolution',
  'intake',
  'paging',
  'obligations',
];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'An import cycle means two modules are one: merge them or move the shared part out.',
      severity: 'error',
      from: {},
      // type-only imports vanish at run time; a cycle through them alone is not a cycle
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'domain-without-slack',
      comment:
        'Domain folders never import Slack SDKs: they get a ChatPort and presenters, so they can be tested and reused without Bolt.',
      severity: 'error',
      from: { path: DOMAIN },
      to: { path: '(^|/)node_modules/@slack/' },
    },
    {
      name: 'domain-not-slack-edge',
      comment: 'Domain folders never import the Slack edge (src/slack) or the local workspace.',
      severity: 'error',
      from: { path: DOMAIN },
      to: { path: '^src/(slack|local|app\\.ts|main\\.ts|runtime\\.ts|services\\.ts)' },
    },
    ...FEATURES.map((feature) => ({
      name: `${feature}-internals`,
      comment: `Other folders use ${feature} through its public files (index, model, presenter, config).`,
      severity: 'error',
      from: {
        path: '^src/',
        pathNot: [`^src/${feature}/`, '^src/(services|main|runtime)\\.ts$'],
      },
      to: { path: `^src/${feature}/`, pathNot: `^src/${feature}/${PUBLIC}` },
    })),
    {
      name: 'no-test-code-in-src',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/local/page/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.d.ts'],
    },
  },
};
