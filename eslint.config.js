// @ts-check
const js = require('@eslint/js')
const tseslint = require('typescript-eslint')
const vue = require('eslint-plugin-vue')
const globals = require('globals')

module.exports = tseslint.config(
  { ignores: ['out/**', 'dist/**', 'release/**', 'node_modules/**', 'coverage/**', 'tests/e2e/artifacts/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } }
  },
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'vue/multi-word-component-names': 'off',
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off'
    }
  },
  {
    files: ['src/**/*.{ts,vue}'],
    languageOptions: { globals: { ...globals.browser } }
  },
  {
    files: ['bin/**/*.js', 'eslint.config.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' }
  },
  {
    // core/ is plain Node: no Electron, no renderer code (DESIGN.md, Layout).
    files: ['electron/core/**/*.ts', 'electron/cli/**/*.ts', 'sandbox/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['electron'], message: 'core, cli and sandbox never import electron' },
        { group: ['**/src/**', '@/*'], message: 'core never imports the renderer' }
      ] }]
    }
  },
  {
    // The IPC contract is types and constants only, importable from all three processes.
    files: ['electron/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ group: ['*'], message: 'electron/shared has no runtime imports', allowTypeImports: true }] }]
    }
  },
  {
    files: ['src/**/*.{ts,vue}'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { regex: '^electron$', message: 'the renderer talks to the world only through window.api' },
        { group: ['node:*', '**/electron/core/**', '**/electron/main/**', '**/electron/preload/**'], message: 'the renderer talks to the world only through window.api' }
      ] }]
    }
  }
)
