#!/bin/sh
# The long random comparison, by hand: many seeds x many commands of test/compat/random.test.ts
# (shardis --shards 0 and --shards 3 against a real redis-server, raw replies compared).
#
#   scripts/random-compare.sh                 seeds 1..100, 5000 steps each
#   scripts/random-compare.sh 1..1000 20000   seeds, steps
#   RANDOM_RESP=3 RANDOM_FAMILIES=keyspace,zset scripts/random-compare.sh 500..600
#
# Every failing seed prints its replay line. Other RANDOM_* variables (RANDOM_MODES,
# RANDOM_CHECK_EVERY, RANDOM_STRICT, RANDOM_TRACE) pass through; see the test's header.
# SHARDIS_MAIN=path/to/main.js tests another build; RANDOM_NO_BUILD=1 skips `npm run build`.
set -e
cd "$(dirname "$0")/.."

seeds="${1:-1..100}"
steps="${2:-5000}"
if [ -z "$RANDOM_NO_BUILD" ]; then npm run -s build; fi
RANDOM_SEED="$seeds" RANDOM_STEPS="$steps" exec npx vitest run test/compat/random.test.ts
