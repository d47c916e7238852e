#!/usr/bin/env bash
# Installs what `make bench` uses beyond Go (docs/performance.md): hyperfine, with which the
# throughput case checks its own figures the way a reader would repeat them. Idempotent: returns
# at once when the tool is there.
set -euo pipefail
exec "$(dirname "$0")/../apt-tools.sh" hyperfine:hyperfine
