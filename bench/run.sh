#!/usr/bin/env bash
# Gateway overhead benchmark (see docs/benchmark.md). All arguments go to `ljq bench`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec ./ljq bench "$@"
