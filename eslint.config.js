// ESLint flat config: the import boundaries of DESIGN.md §3, checked by `npm run lint` (and so by
// .ci/run), plus a few rules that catch real mistakes. Boundaries are regexes over the import
// specifier, so they hold for relative paths at any depth.
import tseslint from 'typescript-eslint';

/** A `no-restricted-imports` rule from [regex, message] pairs. */
const forbid = (...pairs) => ['error', { patterns: pairs.map(([regex, message]) => ({ regex, message })) }];

const ZMQ = ['^zeromq', 'only src/runtime/transport/zmq imports zeromq'];
const TABLES = ['^(apache-arrow|csv-parse)', 'only src/data imports apache-arrow and csv-parse'];
const UP_FROM_KERNELS = ['/(runtime|protocols|layers|models|data|serving|cli|observability)/', 'kernels import nothing above them'];
const NATIVE = ['\\.node$', 'only src/kernels/native and src/kernels/cuda load addons'];

export default [
  { ignores: ['node_modules/**', 'build/**', 'dist/**', 'docs/**', '.tfe-tmp/**', 'native/**'] },
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser, parserOptions: { sourceType: 'module' } },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-duplicate-imports': ['error', { allowSeparateTypeImports: true }],
      'no-debugger': 'error',
      'no-restricted-syntax': ['error', {
        selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']",
        message: 'Math.random is not a source of randomness here: use the seeded PRG or node:crypto',
      }],
    },
  },
  { files: ['src/**/*.ts'], rules: { 'no-restricted-imports': forbid(ZMQ, TABLES, NATIVE) } },
  { files: ['src/kernels/**/*.ts'], rules: { 'no-restricted-imports': forbid(ZMQ, TABLES, UP_FROM_KERNELS) } },
  {
    files: ['src/runtime/**/*.ts'],
    ignores: ['src/runtime/kernel_link.ts', 'src/runtime/transport/zmq/**'],
    rules: {
      'no-restricted-imports': forbid(ZMQ, TABLES, NATIVE,
        ['/kernels/', 'the runtime reaches kernels only through src/runtime/kernel_link.ts'],
        ['/(protocols|layers|models|data|serving|cli|observability)/', 'the runtime imports nothing above it']),
    },
  },
  {
    files: ['src/runtime/transport/zmq/**/*.ts'],
    rules: {
      'no-restricted-imports': forbid(TABLES, NATIVE,
        ['/kernels/', 'the runtime reaches kernels only through src/runtime/kernel_link.ts'],
        ['/(protocols|layers|models|data|serving|cli|observability)/', 'the runtime imports nothing above it']),
    },
  },
  {
    files: ['src/protocols/**/*.ts'],
    ignores: ['src/protocols/runtime_link.ts'],
    rules: {
      'no-restricted-imports': forbid(ZMQ, TABLES, NATIVE,
        ['/runtime/', 'protocols reach the runtime only through src/protocols/runtime_link.ts'],
        ['/(layers|models|data|serving|cli)/', 'protocols import nothing above them'],
        ['/kernels/(native|cuda|reference)/', 'protocols see kernels through their ops and types, never a backend']),
    },
  },
  {
    files: ['src/layers/**/*.ts'],
    rules: {
      'no-restricted-imports': forbid(ZMQ, TABLES, NATIVE,
        ['/(runtime|kernels)/', 'layers see only the protocol interface'],
        ['/protocols/(pond|securenn|aby3)/', 'layers see only the protocol interface, never a protocol implementation'],
        ['/(models|data|serving|cli)/', 'layers import nothing above them']),
    },
  },
  {
    files: ['src/models/**/*.ts'],
    rules: {
      'no-restricted-imports': forbid(ZMQ, TABLES, NATIVE,
        ['/protocols/(pond|securenn|aby3)/', 'models see only the protocol interface, never a protocol implementation'],
        ['/runtime/(?!index\\.js)', 'models use the runtime through its public barrel only'],
        ['/kernels/(native|cuda|reference)/', 'models never reach a kernel backend'],
        ['/(serving|cli)/', 'models import nothing above them']),
    },
  },
  {
    files: ['src/observability/**/*.ts'],
    rules: {
      'no-restricted-imports': forbid(ZMQ, TABLES, NATIVE,
        ['/(kernels|protocols|layers|models|data|serving|cli)/', 'observability sees only the runtime (its observers and counters)'],
        ['/runtime/(?!index\\.js)', 'observability uses the runtime through its public barrel only']),
    },
  },
  {
    files: ['src/data/**/*.ts'],
    rules: {
      'no-restricted-imports': forbid(ZMQ, NATIVE,
        ['/(layers|serving|cli)/', 'data loaders run on players and import nothing above the models'],
        ['/protocols/(pond|securenn|aby3)/', 'data sees only the protocol interface']),
    },
  },
];
