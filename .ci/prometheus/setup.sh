#!/usr/bin/env bash
# Installs Prometheus, which scrapes a running wrapper in TestPrometheusScrapes
# (wrapper/metrics_unix_test.go; docs/fleet.md). Debian's `prometheus` package
# puts the server at /usr/bin/prometheus; the test runs it itself on a loopback
# port with a temporary storage folder, so the service the package enables
# (if any init system runs it) is not used. Idempotent: returns at once when the
# binary is there.
set -euo pipefail
exec "$(dirname "$0")/../apt-tools.sh" prometheus:prometheus
