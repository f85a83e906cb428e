import { configDefaults, defineConfig } from 'vitest/config';

/** Tests on the real PC/SC stack: they share one pcscd and its two vpcd readers. */
const REAL_STACK = 'test/pcsc/**';

export default defineConfig({
  test: {
    // .data/ holds npm start's state and benches' scratch copies, never tests.
    exclude: [...configDefaults.exclude, '.data/**'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          exclude: [...configDefaults.exclude, '.data/**', REAL_STACK],
        },
      },
      {
        extends: true,
        test: {
          name: 'pcsc',
          include: [`${REAL_STACK}/*.test.ts`],
          // One file at a time: a file holds the stack (test/support/pcscd.ts, lockRealStack), and some
          // restart pcscd under every reader.
          fileParallelism: false,
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
    ],
  },
});
