#!/usr/bin/env bash
# apt-tools.sh TOOL:PACKAGE ...: installs, from Debian's packages, the
# PACKAGE of every TOOL that is not on PATH. The test-bed set-up scripts
# (.ci/*/setup.sh) call it, so `make test` on a clean machine brings what it
# needs. Idempotent: returns at once when every tool is there; without root
# it says what to install and fails.
set -euo pipefail
missing=()
for tool in "$@"; do
	command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool#*:}")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "setup: missing ${missing[*]}; installing needs root: sudo apt-get install ${missing[*]}" >&2
	exit 1
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
for tool in "$@"; do
	command -v "${tool%%:*}" >/dev/null
done
