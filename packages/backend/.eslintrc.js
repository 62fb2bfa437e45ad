module.exports = require('@backstage/cli/config/eslint-factory')(__dirname, {
  overrides: [
    {
      // The image test (run by ./portal test's image step, not the unit run)
      // is a test like *.test.ts: it may use the test utilities.
      files: ['src/**/*.imagetest.ts'],
      rules: { 'no-restricted-imports': 'off' },
    },
  ],
});
