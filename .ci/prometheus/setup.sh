#!/usr/bin/env bash
# Installs Prometheus, which scrapes a running wrapper in TestPrometheusScrapes
# (wrapper/metrics_unix_test.go; docs/fleet.md). Debian's `prometheus` package
# puts the server at /usr/bin/prometheus; the test runs it itself on a loopback
# port with a temporary storage folder, so the service the package enables
# (if any init system runs it) is not used. Idempotent: returns at once when the
# binary is there.
set -euo pipefail
if [ -x /usr/bin/prometheus ]; then
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "setup.sh: /usr/bin/prometheus is missing and installing it needs root: sudo apt-get install prometheus" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends prometheus >/dev/null
test -x /usr/bin/prometheus
