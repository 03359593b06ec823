import { defineConfig } from "vitest/config";

// Test files run one at a time in a forked process each: the machine has 2 cores and most
// test files start servers (redis-server, shardis with its worker threads).
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
    pool: "forks",
    fileParallelism: false,
  },
});
