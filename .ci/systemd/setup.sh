#!/usr/bin/env bash
# Installs systemd-analyze, with which wrapper's Linux tests check the units
# `wrapper install` writes (TestUnitsVerify; docs/linux-service.md). Debian
# ships it in the `systemd` package (about 15 MB installed). Installing the
# package does not start systemd, so it is safe in a container. Idempotent:
# returns at once when the tool is there.
set -euo pipefail
if command -v systemd-analyze >/dev/null 2>&1; then
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "setup.sh: systemd-analyze is missing and installing it needs root: sudo apt-get install systemd" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends systemd >/dev/null
command -v systemd-analyze >/dev/null
