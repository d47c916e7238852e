# bench/scenarios.sh: the scenarios of bench/run.sh, which sources this file and provides
# W G M (wrapper, gen, measure), run (scratch directory), trash (where set_aside moves it), record,
# median, field, config.

# set_aside: give the next run an empty $run/d without deleting a file while the bench measures.
# The last run's directory is kept as $run/prev until the next set_aside, so that the checks of
# two runs made back to back can follow them; the one before is truncated (which frees its
# blocks) and moved into $trash, which run.sh deletes when the bench exits. ext4 without a journal
# (this bench's machine) skips, on every file creation, each inode of the block group freed in
# the last 60 s (longer while its inode table is not written back), looking up that inode's table
# block in the buffer cache: deleting a run's 20 files before the next run made each of the
# wrapper's file creations scan hundreds of freed inodes (perf: a fifth of the samples in
# recently_deleted), a cost of the bench's own deletions, charged to the wrapper (21 files per
# run) and hardly to cat (1). The fresh $run/d is also placed away from the earlier ones (chattr
# +T in run.sh). See docs/performance.md.
set_aside() {
	if [ -d "$run/prev" ]; then
		find "$run/prev" -type f -exec truncate -s 0 {} +
		aside=$((aside + 1))
		mv "$run/prev" "$trash/d.$aside"
	fi
	if [ -d "$run/d" ]; then
		mv "$run/d" "$run/prev"
	fi
	mkdir -p "$run/d"
}
aside=0

# tp NAME CMD...: time one run of CMD in $run/d (fresh), record NAME's wall time, its CPU time as
# NAME.cpu (s, CMD and every process it reaped), and its phases as NAME.pre, NAME.write and
# NAME.post (ms; measure time -stamps: gen's start and end of writing).
tp() {
	name=$1
	shift
	set_aside
	r=$(cd "$run/d" && "$M" time -stamps "$run/phases" -- "$@" 2>>"$out/stderr.log")
	wall=$(echo "$r" | field wall)
	[ -n "$wall" ] || { echo "bench: $name failed; see $out/stderr.log" >&2; exit 1; }
	record "$name" "$wall"
	record "$name.cpu" "$(echo "$r" | field cpu)"
	for k in pre write post; do record "$name.$k" "$(echo "$r" | field $k)"; done
}

# checked N PATH [-timestamps]: verify the lines of a log; abort the run if any is wrong.
checked() {
	r=$("$M" check ${3:-} -n "$1" "$2") || { echo "bench: line check failed for $2" >&2; exit 1; }
	echo "$r"
}

# tp_pair I: the headline pair, `gen | cat > file` and the wrapper, back to back, cat first in odd
# rounds and the wrapper first in even ones (so neither always runs second, after the other's
# 200 MB), then both outputs checked.
tp_pair() {
	if [ $(($1 % 2)) = 1 ]; then
		tp tp.cat sh -c "$G lines $LINES | cat > out"
		tp tp.wrapper "$W" run --config "$run/tp.yaml"
		cat_out=$run/prev/out wrapper_log=$run/d/logs/svc.out.log
	else
		tp tp.wrapper "$W" run --config "$run/tp.yaml"
		tp tp.cat sh -c "$G lines $LINES | cat > out"
		cat_out=$run/d/out wrapper_log=$run/prev/logs/svc.out.log
	fi
	checked "$LINES" "$cat_out" >/dev/null
	r=$(checked "$LINES" "$wrapper_log")
	record tp.files "$(echo "$r" | field files)"
}

throughput() {
	echo "bench: log throughput, $LINES lines of 100 bytes, $TP_REPS runs of every variant, $TP_PAIRS of cat and the wrapper"
	half=$((LINES / 2))
	config tp.yaml "[lines, \"$LINES\"]"
	config one.yaml "[lines, \"$LINES\"]" "" "" 1GB
	config both.yaml "[lines, \"$LINES\", both]"
	config ts.yaml "[lines, \"$LINES\"]" "" ", timestamps: true"
	config gz.yaml "[lines, \"$LINES\"]" "" ", compress: true"
	mkfifo "$run/fifo"
	for i in $(seq "$TP_PAIRS"); do
		tp_pair "$i"
		[ "$i" -le "$TP_REPS" ] || continue
		tp tp.file sh -c "$G lines $LINES > out"
		tp tp.one "$W" run --config "$run/one.yaml"
		checked "$LINES" "$run/d/logs/svc.out.log" >/dev/null
		tp tp.copy "$M" copy out -- "$G" lines "$LINES"
		checked "$LINES" "$run/d/out" >/dev/null
		tp both.cat sh -c "cat $run/fifo > err & $G lines $LINES both 2> $run/fifo | cat > out; wait"
		tp both.wrapper "$W" run --config "$run/both.yaml"
		checked "$half" "$run/d/logs/svc.out.log" >/dev/null
		checked "$((LINES - half))" "$run/d/logs/svc.err.log" >/dev/null
		tp ts.wrapper "$W" run --config "$run/ts.yaml"
		checked "$LINES" "$run/d/logs/svc.out.log" -timestamps >/dev/null
		tp gz.wrapper "$W" run --config "$run/gz.yaml"
		# Backups compressed and left plain at exit (none both: checked fails on that).
		r=$(checked "$LINES" "$run/d/logs/svc.out.log")
		record gz.compressed "$(echo "$r" | field compressed)"
		record gz.plain "$(echo "$r" | field plain)"
	done
	set_aside # the last run's directory becomes prev
	set_aside # and goes to the trash with the one before
}

# fixed_cost: start-to-exit of a wrapper whose child writes one line, against the same child
# through cat and through measure copy: what a run costs before and after the bytes, which the
# 200 MB throughput runs pay once each.
fixed_cost() {
	echo "bench: fixed cost, a one-line child, $FIXED_REPS runs"
	config fixed.yaml '[lines, "1"]'
	for i in $(seq "$FIXED_REPS"); do
		tp fixed.cat sh -c "$G lines 1 | cat > out"
		tp fixed.wrapper "$W" run --config "$run/fixed.yaml"
		tp fixed.copy "$M" copy out -- "$G" lines 1
	done
	set_aside
}

restart_latency() {
	echo "bench: restart latency, $RESTARTS gaps per run, $REPS runs"
	config restart.yaml "[stamp, \"$run/stamps\"]" \
		'restart: {policy: always, delay: 0s, max_failures: 0}'
	for i in $(seq "$REPS"); do
		r=$(cd "$run" && "$M" restart -n "$RESTARTS" -stamps "$run/stamps" -- "$W" run --config "$run/restart.yaml" 2>>"$out/stderr.log")
		record restart.wrapper "$(echo "$r" | field median_ms)"
		record restart.wrapper.p90 "$(echo "$r" | field p90_ms)"
		r=$("$M" restart -n "$RESTARTS" -stamps "$run/stamps" -- "$M" loop -n 1000000000 -- "$G" stamp "$run/stamps")
		record restart.loop "$(echo "$r" | field median_ms)"
		record restart.loop.p90 "$(echo "$r" | field p90_ms)"
	done
	set_aside
}

idle_cost() {
	echo "bench: idle cost, ${IDLE_SECONDS}s per run, $IDLE_REPS runs"
	config idle.yaml "[tree, \"$run/pids\"]"
	config idle-watch.yaml "[tree, \"$run/pids\"]" 'watch: true'
	for i in $(seq "$IDLE_REPS"); do
		r=$(cd "$run" && "$M" idle -for "${IDLE_SECONDS}s" -pids "$run/pids" -- "$W" run --config "$run/idle.yaml" 2>>"$out/stderr.log")
		echo "  wrapper: $r"
		for k in rss_kb cpu_ms wakeups_per_s threads reaper_rss_kb; do record "idle.wrapper.$k" "$(echo "$r" | field $k)"; done
		r=$(cd "$run" && "$M" idle -for "${IDLE_SECONDS}s" -pids "$run/pids" -- "$W" run --config "$run/idle-watch.yaml" 2>>"$out/stderr.log")
		echo "  wrapper, watch: true: $r"
		for k in rss_kb cpu_ms wakeups_per_s; do record "idle.watch.$k" "$(echo "$r" | field $k)"; done
		r=$("$M" idle -for "${IDLE_SECONDS}s" -pids "$run/pids" -- "$G" tree "$run/pids")
		echo "  gen alone: $r"
		for k in rss_kb cpu_ms wakeups_per_s threads; do record "idle.gen.$k" "$(echo "$r" | field $k)"; done
	done
	set_aside
}

stop_latency() {
	echo "bench: stop latency, $STOP_REPS runs each"
	config stop.yaml "[tree, \"$run/pids\"]" 'stop: {timeout: 10s}'
	config ignore.yaml "[tree, \"$run/pids\", ignore]" "stop: {timeout: $STOP_TIMEOUT}"
	for i in $(seq "$STOP_REPS"); do
		for v in stop ignore; do
			r=$(cd "$run" && "$M" stop -pids "$run/pids" -- "$W" run --config "$run/$v.yaml" 2>>"$out/stderr.log")
			record "$v.wrapper" "$(echo "$r" | field gone_ms)"
			record "$v.wrapper.left" "$(echo "$r" | field left)"
		done
		r=$("$M" stop -group -pids "$run/pids" -- "$G" tree "$run/pids")
		record stop.alone "$(echo "$r" | field gone_ms)"
	done
	set_aside
}

binary_sizes() {
	echo "bench: binary sizes (make dist)"
	(cd "$repo" && make -s dist >/dev/null)
	for f in "$repo"/dist/wrapper-*; do
		record "size.$(basename "$f")" "$(stat -c %s "$f")"
	done
}

wine_service() {
	if ! command -v wine >/dev/null; then
		echo "bench: wine not installed; Windows service timings skipped"
		return
	fi
	echo "bench: Windows service under Wine, $REPS runs"
	# The first Wine start of a session may yield nothing (prefix update): one retry.
	for try in 1 2; do
		"$repo/bench/wine.sh" "$REPS" >"$run/wine.txt" 2>>"$out/stderr.log" || true
		grep -q '^wine\.stop ' "$run/wine.txt" && break
	done
	cat "$run/wine.txt" >>"$res"
	grep -q '^wine\.stop ' "$run/wine.txt" || echo "bench: Wine measurement failed; see $out/stderr.log" >&2
}
