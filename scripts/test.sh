#!/bin/sh
# What `npm test` runs: install dependencies if they are missing or older than the lockfile,
# build (tsc -> dist/, which the tests spawn), then run vitest. Arguments go to vitest:
#   npm test -- test/compat            npm test -- -t "set_options"
set -e
cd "$(dirname "$0")/.."

# npm writes node_modules/.package-lock.json on every install: compare against that.
if [ ! -d node_modules ] || [ ! -f node_modules/.package-lock.json ] ||
  [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "scripts/test.sh: node_modules missing or older than package-lock.json: npm ci"
  npm ci
fi

npm run build
exec npx vitest run "$@"
