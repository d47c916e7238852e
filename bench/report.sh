# bench/report.sh: the figures block of docs/performance.md, sourced by bench/run.sh after the
# scenarios (uses res, median and the knobs).

# ratios A B: A's i-th value / B's i-th value for every run i, sorted. The variants of one run
# execute back to back, so a pair shares the machine's momentary load; a ratio of two medians
# mixes runs made under different loads.
# With a third argument N, only the first N runs.
ratios() {
	awk -v a="$1" -v b="$2" -v max="${3:-0}" '$1 == a { x[++na] = $2 } $1 == b { y[++nb] = $2 }
		END { n = (na < nb) ? na : nb; if (max > 0 && n > max) n = max
			for (i = 1; i <= n; i++) if (y[i] > 0) print x[i] / y[i] }' "$res" | sort -g
}
# paired A B [N]: the median of ratios A B [N], two decimals.
paired() {
	ratios "$1" "$2" "${3:-}" | awk '{ v[NR] = $1 } END { if (NR == 0) print "n/a"; else printf "%.2f", v[int((NR + 1) / 2)] }'
}
# quartiles A B: the lower and upper quartiles of ratios A B, as "x–y".
quartiles() {
	ratios "$1" "$2" | awk '{ v[NR] = $1 }
		END { if (NR == 0) { print "n/a"; exit } lo = int((NR + 3) / 4); printf "%.2f–%.2f", v[lo], v[NR + 1 - lo] }'
}
# s4 KEY: the median of KEY, four decimals.
s4() { awk -v v="$(median "$1")" 'BEGIN { if (v == "n/a") print v; else printf "%.4f", v }'; }
# mbs SECONDS: input MB/s of LINES lines of 100 bytes.
mbs() { awk -v s="$1" -v n="$LINES" 'BEGIN { if (s == "n/a" || s == 0) print "n/a"; else printf "%.0f", n * 100 / 1e6 / s }'; }
# ms SECONDS: in milliseconds, one decimal; msdiff A B: (A - B) in milliseconds.
ms() { awk -v s="$1" 'BEGIN { if (s == "n/a") print "n/a"; else printf "%.1f", s * 1000 }'; }
msdiff() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "n/a" || b == "n/a") print "n/a"; else printf "%.1f", (a - b) * 1000 }'; }
# verdict VALUE OP GOAL: "met" or "MISSED".
verdict() { awk -v v="$1" -v g="$3" -v op="$2" 'BEGIN {
	if (v == "n/a") { print "n/a"; exit }
	ok = (op == ">=") ? v + 0 >= g + 0 : v + 0 <= g + 0; print ok ? "met" : "**missed**" }'; }

# report: the figures block: the header, then a section for every case in CASES.
report() {
	report_header
	for c in $CASES; do
		"report_$c"
	done
}

# machine: the machine line of a report (CPUs, kernel, Go, file system of bench/out).
machine() {
	cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
	fs=$(df -T "$out" | awk 'NR == 2 { print $2 }')
	# A journal-less ext4 slows file creation after deletions (set_aside in scenarios.sh): say so.
	# /proc/fs/jbd2 names each journal after the kernel's device name (vda-8, dm-0-8), which
	# the mount's source (/dev/mapper/..., /dev/root) need not match: go through the device number.
	if [ "$fs" = ext4 ]; then
		devno=$(mountpoint -d "$(df --output=target "$out" | tail -n 1)" 2>/dev/null || true)
		kdev=$(basename "$(readlink -f "/sys/dev/block/$devno" 2>/dev/null)" 2>/dev/null || true)
		if [ -n "$devno" ] && [ -n "$kdev" ] && [ "$kdev" != "$devno" ] &&
			! ls /proc/fs/jbd2 2>/dev/null | grep -q "^$kdev-"; then
			fs="ext4 without a journal"
		fi
	fi
	echo "Machine: $(nproc) CPUs ($cpu), Linux $(uname -r), $(go env GOVERSION), output on $fs"
}

report_header() {
	cat <<EOF
Measured $(date -u '+%Y-%m-%d %H:%M UTC') by \`make bench\` (= \`bench/run.sh\`) with REPS=$REPS TP_REPS=$TP_REPS
TP_PAIRS=$TP_PAIRS HF_RUNS=$HF_RUNS FIXED_REPS=$FIXED_REPS LINES=$LINES IDLE_SECONDS=$IDLE_SECONDS IDLE_REPS=$IDLE_REPS RESTARTS=$RESTARTS
STOP_REPS=$STOP_REPS STOP_TIMEOUT=$STOP_TIMEOUT MANY=$MANY MANY_SECONDS=$MANY_SECONDS BURST_MB=$BURST_MB DISK_MBPS=$DISK_MBPS
BURST_REPS=$BURST_REPS PRUNE_OPS=$PRUNE_OPS PRUNE_REPS=$PRUNE_REPS VOLUMES="$VOLUMES" VOLUME_REPS=$VOLUME_REPS. $(machine), load average $load at the start. The machine is a VM whose CPUs may be shared:
figures are medians of interleaved runs, and single runs vary by ±30 %.
EOF
}

report_throughput() {
	cat <<EOF

### Log throughput ($LINES lines of 100 bytes = $((LINES / 10000)) MB, rotation at 10 MB; $TP_REPS runs of each variant, $TP_PAIRS of \`cat\` and the wrapper)

Each run is timed as a whole process, from fork to exit (\`measure time\`, as \`/usr/bin/time\` or
\`hyperfine -N\` time it), in a directory of its own: every file a run writes is new. Every
wrapper run's files were checked line by line (\`measure check\`): no line lost, duplicated, split
or corrupt, each stream in order; $(median tp.files) files per plain run. The ratio is the median over
runs of baseline time / this time within one run (above 1: faster than the baseline): \`gen | cat
> file\` and the wrapper run back to back, in an order that alternates from run to run, and the
other variants follow them; the wall and CPU times are each variant's own median. CPU besides
\`gen\` is all the run's processes' CPU time less \`gen\`'s own: the wrapper and its reaper, or
\`sh\` and \`cat\`. No file is deleted while the bench measures: each run's files are emptied and set
aside, and deleted at the end.

| case | median wall (s) | MB/s | CPU besides \`gen\` (s) | vs \`gen \| cat > file\` | goal |
| --- | --- | --- | --- | --- | --- |
| \`gen > file\` | $(s4 tp.file) | $(mbs "$(median tp.file)") | $(s4 tp.file.own) | $(paired tp.cat tp.file) | |
| \`gen \| cat > file\` | $(s4 tp.cat) | $(mbs "$(median tp.cat)") | $(s4 tp.cat.own) | 1.00 | |
| \`gen \| cat > file\`, \`file\` there before (empty): ext4 writes it back at \`close\` | $(s4 tp.catold) | $(mbs "$(median tp.catold)") | $(s4 tp.catold.own) | $(paired tp.cat tp.catold) | |
| wrapper, stdout | $(s4 tp.wrapper) | $(mbs "$(median tp.wrapper)") | $(s4 tp.wrapper.own) | $(paired tp.cat tp.wrapper) | ≥ 1: $(verdict "$(paired tp.cat tp.wrapper)" ">=" 1) |
| wrapper, stdout, one file (\`max_size: 1GB\`: no rotation, like \`cat\`) | $(s4 tp.one) | $(mbs "$(median tp.one)") | $(s4 tp.one.own) | $(paired tp.cat tp.one) | |
| Go floor: \`measure copy\`, the pump's pipe and reads into one file, nothing else | $(s4 tp.copy) | $(mbs "$(median tp.copy)") | $(s4 tp.copy.own) | $(paired tp.cat tp.copy) | |
| \`gen\` writing 4 KiB at a time (C's stdio into a pipe) through \`cat\` | $(s4 small.cat) | $(mbs "$(median small.cat)") | $(s4 small.cat.own) | $(paired tp.cat small.cat) | |
| … through the wrapper | $(s4 small.wrapper) | $(mbs "$(median small.wrapper)") | $(s4 small.wrapper.own) | $(paired small.cat small.wrapper) (vs that \`cat\`) | ≥ 1: $(verdict "$(paired small.cat small.wrapper)" ">=" 1) |
| \`gen both\` through two \`cat\`s (stdout and stderr, half the lines each) | $(s4 both.cat) | $(mbs "$(median both.cat)") | $(s4 both.cat.own) | $(paired tp.cat both.cat) | |
| wrapper, stdout + stderr both busy | $(s4 both.wrapper) | $(mbs "$(median both.wrapper)") | $(s4 both.wrapper.own) | $(paired both.cat both.wrapper) (vs the two \`cat\`s) | ≥ 1: $(verdict "$(paired both.cat both.wrapper)" ">=" 1) |
| wrapper, \`timestamps: true\` (+30 % bytes written) | $(s4 ts.wrapper) | $(mbs "$(median ts.wrapper)") | $(s4 ts.wrapper.own) | $(paired tp.cat ts.wrapper) | ≥ 1: $(verdict "$(paired tp.cat ts.wrapper)" ">=" 1) |
| wrapper, \`compress: true\` | $(s4 gz.wrapper) | $(mbs "$(median gz.wrapper)") | $(s4 gz.wrapper.own) | $(paired tp.cat gz.wrapper) | ≥ 1: $(verdict "$(paired tp.cat gz.wrapper)" ">=" 1) |

Half of the runs' ratios for \`wrapper, stdout\` lie within $(quartiles tp.cat tp.wrapper) (Go floor:
$(quartiles tp.cat tp.copy)); the median of its first $TP_REPS ratios alone is $(paired tp.cat tp.wrapper "$TP_REPS"); of the
runs with \`cat\` first $(paired_order tp.cat tp.wrapper 1), with the wrapper first $(paired_order tp.cat tp.wrapper 0).
Against \`cat\` into a file that was there before, as a measurement that reuses its output file
times it, the wrapper's ratio is $(paired tp.catold tp.wrapper) (see "Writing into a file that exists" below).
EOF
	report_outside
	cat <<EOF

Where each run's time goes (medians over the runs, ms; \`measure time -stamps\`: \`gen\` notes
CLOCK_MONOTONIC when its \`main\` begins writing and after its last write): *before* is from the
start of the command until then (the host's start-up, fork and exec, \`gen\`'s own Go start-up),
*writing* is \`gen\` writing its lines (as fast as the reader drains the pipe), *after* is from
its last write until the command has exited (\`gen\`'s exit, draining, closing).

| case | before | writing | after |
| --- | --- | --- | --- |
| \`gen > file\` | $(median tp.file.pre) | $(median tp.file.write) | $(median tp.file.post) |
| \`gen \| cat > file\` | $(median tp.cat.pre) | $(median tp.cat.write) | $(median tp.cat.post) |
| \`gen \| cat > file\`, \`file\` there before | $(median tp.catold.pre) | $(median tp.catold.write) | $(median tp.catold.post) |
| wrapper, stdout | $(median tp.wrapper.pre) | $(median tp.wrapper.write) | $(median tp.wrapper.post) |
| wrapper, one file | $(median tp.one.pre) | $(median tp.one.write) | $(median tp.one.post) |
| \`measure copy\` | $(median tp.copy.pre) | $(median tp.copy.write) | $(median tp.copy.post) |
| wrapper, \`compress: true\` | $(median gz.wrapper.pre) | $(median gz.wrapper.write) | $(median gz.wrapper.post) |

With \`compress: true\` the child wrote at $(paired tp.wrapper.write gz.wrapper.write) × the speed of the plain wrapper
(median of the runs' ratios of *writing*; goal ≥ 0.9: $(verdict "$(paired tp.wrapper.write gz.wrapper.write)" ">=" 0.9)): backups are
gzipped in the background at idle priority once the writes pause, and what is left when the child has
exited is compressed before the wrapper exits, one backup per processor (*after*). At exit $(median gz.compressed) backups were gzipped and
$(median gz.plain) plain (median; goal: 0 plain, $(verdict "$(median gz.plain)" "<=" 0)), none both.
EOF
}

# paired_order A B PARITY: the median of ratios A B over the runs whose number has that parity
# (1: odd, where tp_pair runs cat first).
paired_order() {
	awk -v a="$1" -v b="$2" -v p="$3" '$1 == a { x[++na] = $2 } $1 == b { y[++nb] = $2 }
		END { n = (na < nb) ? na : nb; for (i = 1; i <= n; i++) if (i % 2 == p && y[i] > 0) print x[i] / y[i] }' "$res" |
		sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "n/a"; else printf "%.2f", v[int((NR + 1) / 2)] }'
}

# hf KEY: the median of a hyperfine figure of the outside check, in seconds, four decimals.
hf() { s4 "hf.$1"; }

# report_outside: the outside check, when it ran.
report_outside() {
	grep -q '^hf\.cat ' "$res" || { printf '\nThe outside check with hyperfine did not run (HF_RUNS=0 or no hyperfine).\n'; return 0; }
	cat <<EOF

Outside check: the same binaries, timed by hyperfine in $HF_RUNS rounds of one run of each command
(\`hyperfine -N -r 1 --prepare 'rm -rf out err logs'\`, the commands of "Checking these figures"
at the top), forward in odd rounds and backward in even ones; medians, and the median over rounds
of \`cat\`'s time / the command's (above 1: faster).

| hyperfine \`-n\` | median (s) | user + system (s) | vs its \`cat\` | quartiles | the bench's ratio above |
| --- | --- | --- | --- | --- | --- |
| \`cat\` | $(hf cat) | $(hf cat.cpu) | 1.00 | | 1.00 |
| \`wrapper\` | $(hf wrapper) | $(hf wrapper.cpu) | $(paired hf.cat hf.wrapper) | $(quartiles hf.cat hf.wrapper) | $(paired tp.cat tp.wrapper) |
| \`ts\` (\`timestamps: true\`) | $(hf ts) | $(hf ts.cpu) | $(paired hf.cat hf.ts) | $(quartiles hf.cat hf.ts) | $(paired tp.cat ts.wrapper) |
| \`gz\` (\`compress: true\`) | $(hf gz) | $(hf gz.cpu) | $(paired hf.cat hf.gz) | $(quartiles hf.cat hf.gz) | $(paired tp.cat gz.wrapper) |
| \`both.cat\` (two \`cat\`s) | $(hf both.cat) | $(hf both.cat.cpu) | 1.00 | | 1.00 |
| \`both\` (stdout + stderr) | $(hf both) | $(hf both.cpu) | $(paired hf.both.cat hf.both) | $(quartiles hf.both.cat hf.both) | $(paired both.cat both.wrapper) |
EOF
}

report_fixed() {
	cat <<EOF

### Fixed cost per run (a child that writes one line; $FIXED_REPS runs)

Start to exit of the same three ways of running \`gen\`, its child writing one line and exiting:
what a throughput run pays once, before and after its bytes; and start to child running, from
the start of the command until \`gen\`'s \`main\` begins writing (\`measure time -stamps\`: the
*before* phase, \`gen\`'s own Go start-up included on both sides). Medians.

| case | wall (ms) | more than \`gen \| cat\` (ms) | start to child running (ms) | more than \`gen \| cat\` (ms) | goal |
| --- | --- | --- | --- | --- | --- |
| \`gen lines 1 \| cat > file\` | $(ms "$(median fixed.cat)") | | $(median fixed.cat.pre) | | |
| wrapper | $(ms "$(median fixed.wrapper)") | $(msdiff "$(median fixed.wrapper)" "$(median fixed.cat)") | $(median fixed.wrapper.pre) | $(awk -v a="$(median fixed.wrapper.pre)" -v b="$(median fixed.cat.pre)" 'BEGIN { printf "%.2f", a - b }') | ≤ 2 ms more: $(verdict "$(awk -v a="$(median fixed.wrapper.pre)" -v b="$(median fixed.cat.pre)" 'BEGIN { print a - b }')" "<=" 2) |
| Go floor: \`measure copy\` | $(ms "$(median fixed.copy)") | $(msdiff "$(median fixed.copy)" "$(median fixed.cat)") | $(median fixed.copy.pre) | | |
EOF
	report_start
	grep -q '^tp\.wrapper ' "$res" || return 0
	cat <<EOF

The wrapper's $((LINES / 10000)) MB run took $(msdiff "$(median tp.wrapper)" "$(median tp.cat)") ms more than \`cat\`'s (medians);
$(msdiff "$(median fixed.wrapper)" "$(median fixed.cat)") ms of that is this fixed cost. Without it the ratio would be
$(awk -v c="$(median tp.cat)" -v w="$(median tp.wrapper)" -v fw="$(median fixed.wrapper)" -v fc="$(median fixed.cat)" 'BEGIN { printf "%.2f", c / (w - (fw - fc)) }') (derived from the medians, not measured).
EOF
}

# report_start: the phases of the wrapper's start and exit, from the fixed case's starttrace runs.
report_start() {
	grep -q '^start\.' "$res" || return 0
	cat <<EOF

Where the wrapper's start and exit go: the same run, from a build with \`-tags starttrace\`
(\`internal/starttrace\`: each mark writes its time since the fork that \`measure trace\` noted);
medians over the runs of each mark's time and of each phase, the time since the mark before. See
[Start-up](#start-up).

| until the mark | what the phase holds | since the fork (ms) | phase (ms) |
| --- | --- | --- | --- |
EOF
	while IFS='|' read -r label what; do
		printf '| `%s` | %s | %s | %s |\n' "$label" "$what" "$(median "start.$label")" "$(median "start.d.$label")"
	done <<'PHASES'
main|exec, the Go runtime's start and every package's initialisation
signals|SIGINT and SIGTERM handled (the runtime's signal goroutine and thread)
config|the YAML read, decoded and checked
control|the control socket: its directory checked, a squatter looked for, bind and listen
logs|the three log files opened without following links
host|the supervisor made; SIGHUP, the first record of the wrapper's log
containment|cgroup or subreaper chosen: /proc read, a cgroup made and removed as a probe
fork|the first status record, the pipes, the child's cgroup, up to the fork
child-started|the fork into the cgroup and the child's exec
child-exited|the child's life: its own Go start, one line, its exit
child-reaped|the cgroup killed and found empty, the output drained
supervisor-done|the decision not to restart, the last status
exit|the status file, the control socket and the logs closed
waited|the process's exit (its mappings and threads torn down) until reaped
PHASES
	printf '| `gen lines 1` alone | exec and the Go start of a small program, until its `main` writes | %s | |\n' "$(median fixed.gen.pre)"
}

report_restart() {
	cat <<EOF

### Restart latency (child exits at once; \`restart: {policy: always, delay: 0s, max_failures: 0}\`)

Gap between consecutive child starts, from the CLOCK_MONOTONIC time each child writes first thing
($RESTARTS gaps per run; median of the runs' medians). The baseline is a plain Go loop
(\`measure loop\`, os/exec) running the same child back to back: what fork, exec, Go start-up and
wait cost by themselves.

| | median gap (ms) | p90 (ms) | wrapper's own share (ms) | goal |
| --- | --- | --- | --- | --- |
| wrapper | $(median restart.wrapper) | $(median restart.wrapper.p90) | $(awk -v a="$(median restart.wrapper)" -v b="$(median restart.loop)" 'BEGIN { printf "%.2f", a - b }') | ≤ 2 ms: $(verdict "$(median restart.wrapper)" "<=" 2) |
| plain loop | $(median restart.loop) | $(median restart.loop.p90) | | |
EOF
}

report_idle() {
	cat <<EOF

### Idle cost (a sleeping child with a grandchild, ${IDLE_SECONDS} s per run)

From /proc/PID/status (VmRSS; context switches summed over all threads: the process's own line
counts only its main thread) and /proc/PID/stat (utime + stime), sampled $settled after start-up,
once the wrapper gave start-up's pages back (5 s after its child started, a one-off burst of work;
see [Idle memory](#idle-memory)), and again ${IDLE_SECONDS} s later (RSS: the later sample). "gen alone" is the child program measured the same way: the
floor of an idle Go program.

| process | RSS (MB) | CPU over the period (ms) | wake-ups/s | threads | goal |
| --- | --- | --- | --- | --- | --- |
| wrapper | $(awk -v k="$(median idle.wrapper.rss_kb)" 'BEGIN { printf "%.1f", k / 1024 }') | $(median idle.wrapper.cpu_ms) | $(median idle.wrapper.wakeups_per_s) | $(median idle.wrapper.threads) | with its reaper ≤ 8 MB: $(verdict "$(awk -v k="$(median idle.wrapper.rss_kb)" -v r="$(median idle.wrapper.reaper_rss_kb)" 'BEGIN { print (k + r) / 1024 }')" "<=" 8); ≤ 1/s: $(verdict "$(median idle.wrapper.wakeups_per_s)" "<=" 1) |
| wrapper with \`watch: true\` (inotify on Linux) | $(awk -v k="$(median idle.watch.rss_kb)" 'BEGIN { printf "%.1f", k / 1024 }') | $(median idle.watch.cpu_ms) | $(median idle.watch.wakeups_per_s) | | ≤ 1/s: $(verdict "$(median idle.watch.wakeups_per_s)" "<=" 1) |
| its reaper (\`/bin/sh\`) | $(awk -v k="$(median idle.wrapper.reaper_rss_kb)" 'BEGIN { printf "%.1f", k / 1024 }') | | 0 (blocked in read) | 1 | |
| gen alone | $(awk -v k="$(median idle.gen.rss_kb)" 'BEGIN { printf "%.1f", k / 1024 }') | $(median idle.gen.cpu_ms) | $(median idle.gen.wakeups_per_s) | $(median idle.gen.threads) | |
EOF
}

report_stop() {
	cat <<EOF

### Stop latency (child with a grandchild in its group; $STOP_REPS runs)

From SIGTERM to the wrapper until the wrapper has exited and the child and grandchild are gone
(\`measure stop\`). Baseline: SIGTERM straight to the child's process group.

| case | median (ms) | processes left (max) | goal |
| --- | --- | --- | --- |
| child honours SIGTERM, via the wrapper | $(median stop.wrapper) | $(awk '$1 == "stop.wrapper.left" { m = $2 > m ? $2 : m } END { print m + 0 }' "$res") | ≤ 20 ms: $(verdict "$(median stop.wrapper)" "<=" 20); 0 left |
| child honours SIGTERM, signalled directly | $(median stop.alone) | | |
| child and grandchild ignore SIGTERM, \`stop.timeout: $STOP_TIMEOUT\` | $(median ignore.wrapper) | $(awk '$1 == "ignore.wrapper.left" { m = $2 > m ? $2 : m } END { print m + 0 }' "$res") | ≤ timeout + 50 ms: $(verdict "$(median ignore.wrapper)" "<=" "$(awk -v t="$STOP_TIMEOUT" 'BEGIN { sub(/ms$/, "", t); print t + 50 }')"); 0 left |
EOF
}

report_sizes() {
	if grep -q '^size\.' "$res"; then
		printf '\n### Binary size (`make dist`: -trimpath, -ldflags "-s -w")\n\n| target | bytes | MiB |\n| --- | --- | --- |\n'
		awk '$1 ~ /^size\./ { sub(/^size\./, "", $1); printf "| %s | %d | %.1f |\n", $1, $2, $2 / 1048576 }' "$res"
	fi
}

report_wine() {
	if grep -q '^wine\.' "$res"; then
		printf '\n### Windows service under Wine (Wine is not Windows: for the record only)\n\n'
		printf '| step | median (ms) |\n| --- | --- |\n'
		printf '| `sc start` until the child runs | %s |\n' "$(median wine.start)"
		printf '| `sc stop` until STOPPED | %s |\n' "$(median wine.stop)"
	else
		printf '\nWindows service start/stop under Wine: not measured in this run (see below).\n'
	fi
}
