#!/bin/sh
# exec.sh runs a Windows binary under Wine and exits with its exit code; it is the
# shim for `GOOS=windows GOARCH=amd64 go test -exec "$PWD/.ci/wine/exec.sh" ./...`.
# Needs the prefix made by setup.sh. See docs/windows-testing.md.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
WINEPREFIX=${WINEPREFIX:-$(cd "$here/../.." && pwd)/.wine}
WINEDEBUG=${WINEDEBUG:--all}
export WINEPREFIX WINEDEBUG
if [ ! -f "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" ]; then
	echo "exec.sh: no prepared Wine prefix at $WINEPREFIX; run .ci/wine/setup.sh" >&2
	exit 127
fi

# The first Wine process of a session starts wineserver and Wine's system processes
# (services.exe, explorer.exe, ...), which inherit that process's stderr and hold it until
# the server exits: 3 s after the last Wine client, or later while another test binary
# runs. go test reads stdout and stderr through one pipe and waits for EOF, so it stalls and
# then fails with "Test I/O incomplete". Joining (or starting) the session first with
# /dev/null as stdio means the real run below spawns nothing that holds go test's pipe.
if ! wine cmd /c exit </dev/null >/dev/null 2>&1; then
	echo "exec.sh: wine does not start in $WINEPREFIX; run .ci/wine/setup.sh" >&2
	exit 127
fi

# wine exits with the Windows exit code modulo 256, but never turns non-zero into 0
# (256 becomes 1), so failure is always seen as failure.
exec wine "$@"
