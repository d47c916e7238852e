# bench/scale.sh: the scale cases of bench/run.sh (many, burst, prune, volume) and their
# sections of the report; run.sh sources it after scenarios.sh and report.sh and provides W G M,
# run, out, res, record, median, field, config, tp, checked, set_aside, ratios and the knobs.

# many: MANY wrappers, each running a sleeping child with a grandchild (gen tree), against
# MANY such children alone, for MANY_SECONDS: every process of every tree sampled (measure many).
many_idle() {
	echo "bench: $MANY idle wrappers against $MANY children alone, ${MANY_SECONDS}s each"
	dir=$run/many
	mkdir -p "$dir"
	for i in $(seq -w 1 "$MANY"); do # measure many numbers the copies the same way
		printf 'name: %s-%s\nexecutable: %s\narguments: [tree, "%s/%s.pids"]\nlog: {dir: %s/%s}\n' \
			"$svc" "$i" "$G" "$dir" "$i" "$dir" "$i" >"$dir/$i.yaml"
	done
	for v in wrapper gen; do
		if [ "$v" = wrapper ]; then
			set -- "$W" run --config "$dir/{}.yaml"
		else
			set -- "$G" tree "$dir/{}.pids"
		fi
		r=$("$M" many -n "$MANY" -for "${MANY_SECONDS}s" -after "$settled" -pids "$dir/{}.pids" -- "$@" 2>>"$out/stderr.log")
		echo "  $v: $r"
		for k in procs rss_kb pss_kb pss_anon_kb top_rss_kb top_pss_kb cpu_ms wakeups_per_s; do
			record "many.$v.$k" "$(echo "$r" | field $k)"
		done
	done
}

# burst: a child writing BURST_MB as fast as it can through the wrapper into a disk limited to
# DISK_MBPS (bench/slowdisk.sh; without root or cgroup v1's blkio, the bench's own disk at full
# speed), BURST_REPS times: the wrapper's largest RSS, the child's write rate, the disk's, and
# every line checked. Baselines: the same wrapper with a one-line child on that disk (its RSS),
# and gen writing the burst into /dev/null (its rate when nothing holds it back).
burst() {
	n=$((BURST_MB * 10000))
	slow=$out/slow
	"$here/slowdisk.sh" down "$slow" 2>/dev/null || true
	if dev=$("$here/slowdisk.sh" up "$slow" "$DISK_MBPS" 2>>"$out/stderr.log"); then
		slowdisk=$slow
		burst_disk="a 1 GiB ext4 on /dev/$dev, writes limited to $DISK_MBPS MB/s (bench/slowdisk.sh)"
	else
		dev= slow=$run/d
		burst_disk="the bench's own disk at full speed (bench/slowdisk.sh needs root and cgroup v1's blkio)"
	fi
	echo "bench: bursts of $BURST_MB MB into $burst_disk, $BURST_REPS runs"
	config burst.yaml "[lines, \"$n\"]" "" "" "" "$slow/logs"
	config burst1.yaml '[lines, "1"]' "" "" "" "$slow/logs"
	for i in $(seq "$BURST_REPS"); do
		for v in burst burst1; do
			set_aside
			rm -rf "$slow/logs"
			sync -f "$slow/" # nothing of the last run left to write back
			w0=$(disk_written "$dev")
			r=$(cd "$run/d" && "$M" time -stamps "$run/phases" -- "$W" run --config "$run/$v.yaml" 2>>"$out/stderr.log")
			[ -n "$(echo "$r" | field wall)" ] || { echo "bench: burst failed; see $out/stderr.log" >&2; exit 1; }
			record "$v.maxrss" "$(echo "$r" | field maxrss_kb)"
			[ "$v" = burst ] || continue
			w1=$(disk_written "$dev")
			wall=$(echo "$r" | field wall)
			record burst.wall "$wall"
			record burst.child_mbs "$(awk -v n="$n" -v ms="$(echo "$r" | field write)" 'BEGIN { printf "%.1f", n * 100 / 1e6 / (ms / 1000) }')"
			record burst.drain_mbs "$(awk -v n="$n" -v s="$wall" 'BEGIN { printf "%.1f", n * 100 / 1e6 / s }')"
			[ -z "$dev" ] || record burst.disk_mbs "$(awk -v b="$((w1 - w0))" -v s="$wall" 'BEGIN { printf "%.1f", b * 512 / 1e6 / s }')"
			checked "$n" "$slow/logs/svc.out.log" >/dev/null
			record burst.lines "$n"
		done
		r=$("$M" time -stamps "$run/phases" -- sh -c "$G lines $n > /dev/null" 2>>"$out/stderr.log")
		record burst.alone_mbs "$(awk -v n="$n" -v ms="$(echo "$r" | field write)" 'BEGIN { printf "%.1f", n * 100 / 1e6 / (ms / 1000) }')"
	done
	rm -rf "$slow/logs"
	if [ -n "$dev" ]; then
		"$here/slowdisk.sh" down "$slow"
		slowdisk=
	fi
	set_aside
}

# disk_written DEV: the sectors written to /dev/DEV so far (0 without DEV).
disk_written() {
	if [ -n "$1" ]; then awk '{ print $7 }' "/sys/block/$1/stat"; else echo 0; fi
}

# prune: one rotation and the prune pass after it with 1000 backups present against 10 (the
# logrotate benchmark BenchmarkRotatePrune, PRUNE_OPS rotations each), and PRUNE_REPS pairs of
# whole wrapper runs (LINES lines, rotation at 10 MB) in a directory holding 1000 backups with
# max_files: 1000, against 20 with max_files: 20: every rotation prunes one backup.
prune() {
	echo "bench: prune cost, 1000 backups against 10, $PRUNE_OPS rotations; $PRUNE_REPS pairs of runs"
	(cd "${SRC:-$repo}" && go test -run '^$' -bench '^BenchmarkRotatePrune$' -benchtime "${PRUNE_OPS}x" ./logrotate) \
		>"$run/prune.txt" 2>>"$out/stderr.log" || { echo "bench: BenchmarkRotatePrune failed; see $run/prune.txt" >&2; exit 1; }
	awk '$1 ~ /^BenchmarkRotatePrune\/backups=/ { split($1, a, /[=-]/); printf "prune.bench.%s %.3f\n", a[2], $3 / 1e6 }' \
		"$run/prune.txt" >>"$res"
	for nb in 20 1000; do
		config "prune$nb.yaml" "[lines, \"$LINES\"]" "" "" "" "" "$nb"
	done
	for i in $(seq "$PRUNE_REPS"); do
		for nb in $(if [ $((i % 2)) = 1 ]; then echo 20 1000; else echo 1000 20; fi); do
			tp_prep="fake_backups $nb"
			tp "prune.$nb" "$W" run --config "$run/prune$nb.yaml"
			tp_prep=
			record "prune.$nb.left" "$(ls "$run/d/logs" | grep -c '^svc\.out-')"
		done
	done
	set_aside
	set_aside
}

# fake_backups N: N empty backups of svc.out.log in ./logs, from 2020, one a second.
fake_backups() {
	mkdir logs
	(cd logs && awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++)
		printf "svc.out-2020-01-01T%02d-%02d-%02d.000.log\n", i / 3600, i / 60 % 60, i % 60 }' | xargs touch)
}

# volume: CPU per MB as the volume grows: VOLUMES (MB) through the wrapper and through cat,
# VOLUME_REPS times each, every line checked.
volume() {
	echo "bench: CPU per MB for $VOLUMES MB, $VOLUME_REPS runs each"
	for mb in $VOLUMES; do config "vol$mb.yaml" "[lines, \"$((mb * 10000))\"]"; done
	for i in $(seq "$VOLUME_REPS"); do
		for mb in $VOLUMES; do
			n=$((mb * 10000))
			tp "vol.$mb.wrapper" "$W" run --config "$run/vol$mb.yaml"
			checked "$n" "$run/d/logs/svc.out.log" >/dev/null
			tp "vol.$mb.cat" sh -c "$G lines $n | cat > out"
		done
	done
	set_aside
	set_aside
}

# per_mb KEY MB: the median of KEY (s) per MB, in ms.
per_mb() { awk -v s="$(median "$1")" -v mb="$2" 'BEGIN { if (s == "n/a") print s; else printf "%.3f", s * 1000 / mb }'; }
# mb KB: kilobytes in MB, one decimal.
mb() { awk -v k="$1" 'BEGIN { if (k == "n/a") print k; else printf "%.1f", k / 1024 }'; }

report_many() {
	cat <<EOF

### $MANY idle wrappers on one host (\`CASES=many\`; ${MANY_SECONDS} s)

\`measure many -n $MANY -for ${MANY_SECONDS}s -after $settled -pids 'DIR/{}.pids' -- wrapper run --config 'DIR/{}.yaml'\`, each
wrapper's child a sleeping \`gen tree\` (a child and a grandchild), against the same command with
\`-- gen tree 'DIR/{}.pids'\`: every process of every tree (the started process and all below it)
sampled $settled after all are up (once each wrapper gave start-up's pages back) and again ${MANY_SECONDS} s later. PSS (\`/proc/PID/smaps_rollup\`) gives each
process its share of the pages it shares: the $MANY wrappers map one binary, whose pages RSS would
count $MANY times, so the PSS of a set of processes adds up to the memory the set occupies.

| | processes | PSS (MB) | of which anonymous | PSS of the $MANY started processes | RSS summed (MB) | CPU over ${MANY_SECONDS} s (ms) | wake-ups/s |
| --- | --- | --- | --- | --- | --- | --- | --- |
| $MANY wrappers with their children | $(median many.wrapper.procs) | $(mb "$(median many.wrapper.pss_kb)") | $(mb "$(median many.wrapper.pss_anon_kb)") | $(mb "$(median many.wrapper.top_pss_kb)") | $(mb "$(median many.wrapper.rss_kb)") | $(median many.wrapper.cpu_ms) | $(median many.wrapper.wakeups_per_s) |
| $MANY children alone | $(median many.gen.procs) | $(mb "$(median many.gen.pss_kb)") | $(mb "$(median many.gen.pss_anon_kb)") | $(mb "$(median many.gen.top_pss_kb)") | $(mb "$(median many.gen.rss_kb)") | $(median many.gen.cpu_ms) | $(median many.gen.wakeups_per_s) |

What the wrappers add (their own processes and reapers): $(awk -v a="$(median many.wrapper.pss_kb)" -v b="$(median many.gen.pss_kb)" -v n="$MANY" 'BEGIN { printf "%.1f MB of PSS in all, %.2f MB a wrapper", (a - b) / 1024, (a - b) / 1024 / n }').
EOF
}

report_burst() {
	cat <<EOF

### A burst beyond the disk's speed (\`CASES=burst\`; $BURST_MB MB, $BURST_REPS runs)

A child (\`gen lines $((BURST_MB * 10000))\`) writes $BURST_MB MB as fast as it can through the wrapper (rotation at
10 MB) into $burst_disk. Medians; rates in MB/s.

| | value |
| --- | --- |
| wrapper's largest RSS during the burst (rusage) | $(mb "$(median burst.maxrss)") MB |
| … with a one-line child, same disk | $(mb "$(median burst1.maxrss)") MB |
| child's write rate under the wrapper (\`gen\`'s own clock) | $(median burst.child_mbs) |
| the same child writing into /dev/null | $(median burst.alone_mbs) |
| drained by the wrapper ($BURST_MB MB / its wall time) | $(median burst.drain_mbs) |
| written to the disk meanwhile (/sys/block/DEV/stat) | $(median burst.disk_mbs) |
| lines checked (\`measure check\`), each run | $(median burst.lines), none lost, duplicated or split |

The wrapper holds at most one read (1 MiB) and the pipe holds 1 MiB: when the disk lags, its
write blocks, the pipe fills and the child's write blocks, so the child runs at the disk's pace
and nothing accumulates in the wrapper.
EOF
}

report_prune() {
	cat <<EOF

### Prune cost with 1000 backups (\`CASES=prune\`)

One rotation and the prune pass that follows it (list the directory, parse and sort the backups'
names, remove the oldest), $PRUNE_OPS times (\`go test -run '^\$' -bench '^BenchmarkRotatePrune\$'
-benchtime ${PRUNE_OPS}x ./logrotate\`): $(median prune.bench.10) ms with 10 backups, $(median prune.bench.1000) ms with 1000.
The pass runs in the backup mill's goroutine, beside the pump, one pass at a time however many
rotations wait. Whole runs of the wrapper ($LINES lines, rotation at 10 MB, $PRUNE_REPS pairs; medians):

| backups present (= \`max_files\`) | wall (s) | CPU besides gen (s) | backups left |
| --- | --- | --- | --- |
| 20 | $(s4 prune.20) | $(s4 prune.20.own) | $(median prune.20.left) |
| 1000 | $(s4 prune.1000) | $(s4 prune.1000.own) | $(median prune.1000.left) |

Paired ratio of wall times, 1000 / 20: $(paired prune.1000 prune.20).
EOF
}

report_volume() {
	cat <<EOF

### CPU per MB as the volume grows (\`CASES=volume\`; $VOLUME_REPS runs each)

CPU time of the wrapper and its reaper (or of \`sh\` and \`cat\`): the run's CPU less \`gen\`'s own
(\`measure time -stamps\`), per MB written; medians. Rotation at 10 MB, every line checked. The
fixed cost of a run (start-up, exit) weighs more on the smaller volumes.

EOF
	printf '| MB | wrapper: CPU per MB (ms) | wall (s) | `cat`: CPU per MB (ms) | wall (s) |\n| --- | --- | --- | --- | --- |\n'
	for mb in $VOLUMES; do
		printf '| %s | %s | %s | %s | %s |\n' "$mb" "$(per_mb "vol.$mb.wrapper.own" "$mb")" "$(s4 "vol.$mb.wrapper")" \
			"$(per_mb "vol.$mb.cat.own" "$mb")" "$(s4 "vol.$mb.cat")"
	done
}
