#!/usr/bin/env bash
# Installs systemd-analyze, with which wrapper's Linux tests check the units
# `wrapper install` writes (TestUnitsVerify; docs/linux-service.md). Debian
# ships it in the `systemd` package (about 15 MB installed). Installing the
# package does not start systemd, so it is safe in a container. Idempotent:
# returns at once when the tool is there.
set -euo pipefail
exec "$(dirname "$0")/../apt-tools.sh" systemd-analyze:systemd
