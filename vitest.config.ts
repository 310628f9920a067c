// One runner for the whole suite. Unit tests run in Node (the shared code is runtime-agnostic);
// integration tests start the real Worker in workerd through Miniflare (test/harness/).
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['{workers,shared,scripts,test,policies,bench}/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    globalSetup: ['test/harness/global-setup.ts'],
  },
})
