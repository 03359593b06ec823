#!/bin/sh
# Starts shardis with redis-server's command line: ./run.sh [configfile] [--directive value ...]
# Installs dependencies and builds on first use (or when the sources are newer than the build).
set -e
cd "$(dirname "$0")"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
  echo "shardis: installing dependencies (npm ci)..." >&2
  npm ci --no-audit --no-fund >&2
fi
if [ ! -f dist/src/main.js ] || [ -n "$(find src workers -newer dist/src/main.js -name '*.ts' 2>/dev/null | head -n 1)" ]; then
  echo "shardis: building (tsc)..." >&2
  npm run --silent build >&2
fi
# a small young generation for the main thread: it parses every request, and the
# default (up to 3 x 16 MB semi-spaces) only adds resident memory (bench/results/memory-*.md)
exec node --max-semi-space-size=2 dist/src/main.js "$@"
