#!/usr/bin/env bash
# Installs headless Chromium, which loads the wrapper's status page in
# TestPageInBrowser (wrapper/page_unix_test.go; docs/fleet.md). Debian's
# `chromium` package puts the browser at /usr/bin/chromium. Idempotent:
# returns at once when the browser is there.
set -euo pipefail
exec "$(dirname "$0")/../apt-tools.sh" chromium:chromium
