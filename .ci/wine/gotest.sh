#!/bin/sh
# gotest.sh runs Go tests built for Windows under Wine, e.g.
#   .ci/wine/gotest.sh -count=1 ./supervisor/...
# Arguments are go test's. Run setup.sh first. See docs/windows-testing.md.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
WINEPREFIX=${WINEPREFIX:-$(cd "$here/../.." && pwd)/.wine}
export WINEPREFIX
# Wine here is x86-64 only, so the amd64 build is the one tested.
set -- -exec "$here/exec.sh" "$@"
if [ -f "$WINEPREFIX/go-overlay/overlay.json" ]; then
	set -- -overlay "$WINEPREFIX/go-overlay/overlay.json" "$@"
fi
GOOS=windows GOARCH=amd64 exec go test "$@"
