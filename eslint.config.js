// Lint rules, including the import direction of the architecture (DESIGN §2):
// actions|cli → engine|render|providers|config → diff → model. Imports point inward only.
import tseslint from 'typescript-eslint';

const layer = (files, forbidden, why) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', { patterns: [...new Set(forbidden)].map((dir) => ({ group: dir === 'cli' ? ['**/cli/*', '**/cli.ts'] : [`**/${dir}/*`], message: why })) }],
  },
});

const outer = ['cli', 'actions', 'sandbox', 'dashboard'];

export default tseslint.config(
  { ignores: ['node_modules/**', 'actions/*/dist/**', 'coverage/**', '.shipyard/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'error',
    },
  },
  layer(['src/model/**'], ['config', 'diff', 'engine', 'providers', 'state', 'secrets', 'render', 'docs', ...outer], 'src/model holds pure types and imports nothing from other slices.'),
  layer(['src/diff/**'], ['config', 'engine', 'providers', 'state', 'render', 'docs', ...outer], 'src/diff is pure: it may import only src/model and src/secrets.'),
  layer(['src/config/**', 'src/render/**', 'src/secrets/**', 'src/state/**'], ['engine', 'providers', 'docs', ...outer], 'This slice sits below the engine and providers; pass data in instead of importing them.'),
  layer(['src/engine/**'], ['providers', 'render', 'docs', 'state', ...outer], 'The engine knows providers and state stores only through the interfaces in src/model; wiring happens in cli/actions.'),
  layer(['src/providers/**'], ['render', 'docs', 'providers/github', ...outer], 'Providers never import render or GitHub code (DESIGN §2).'),
  layer(['src/docs/**'], [...outer], 'Docs are generated from the model; entry points import docs, not the reverse.'),
  layer(['src/dashboard/**'], ['cli', 'actions'], 'The dashboard is an entry point of its own: the CLI starts it, not the reverse.'),
  { files: ['src/cli.ts', 'src/cli/**', 'bench/**', 'test/**', 'scripts/**'], rules: { 'no-console': 'off' } },
);
