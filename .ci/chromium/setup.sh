#!/usr/bin/env bash
# Installs headless Chromium, which loads the wrapper's status page in
# TestPageInBrowser (wrapper/page_unix_test.go; docs/fleet.md). Debian's
# `chromium` package puts the browser at /usr/bin/chromium. Idempotent:
# returns at once when the browser is there.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "setup.sh: /usr/bin/chromium is missing and installing it needs root: sudo apt-get install chromium" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium >/dev/null
test -x /usr/bin/chromium
