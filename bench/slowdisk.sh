#!/bin/sh
# bench/slowdisk.sh up DIR MBPS | down DIR: a disk slower than any child, for the burst case of
# bench/run.sh (docs/performance.md). `up` makes a 1 GiB ext4 file system in a file beside DIR,
# mounts it on DIR through a loop device, and limits what reaches the device to MBPS MB/s; it
# prints the device's name (loopN). `down` undoes it. Root and cgroup v1's blkio controller are
# needed; without them `up` fails and changes nothing.
#
# Two limits together: blkio.throttle.write_bps_device in the root blkio cgroup, where the
# kernel's flusher threads write dirty pages back (cgroup v1 does not charge writeback to the
# cgroup that dirtied the pages, so the limit must sit where the writing happens), and a strict
# limit of 16 MiB of dirty pages on the device's backing_dev_info, so that a writer is held to the
# device's speed at once, not after gigabytes of page cache.
set -eu
cmd=$1 dir=$2
img=$dir.img
throttle=/sys/fs/cgroup/blkio/blkio.throttle.write_bps_device

# dev_of DIR: the loop device mounted on DIR ("" if none).
dev_of() { findmnt -n -o SOURCE --target "$1" 2>/dev/null | sed -n 's|^/dev/\(loop[0-9]*\)$|\1|p'; }

case $cmd in
up)
	mbps=$3
	[ "$(id -u)" = 0 ] || { echo "slowdisk: needs root" >&2; exit 1; }
	[ -w "$throttle" ] || { echo "slowdisk: no cgroup v1 blkio throttle ($throttle)" >&2; exit 1; }
	mkdir -p "$dir"
	truncate -s 1G "$img"
	mkfs.ext4 -q -F -O ^has_journal "$img"
	dev=$(losetup -f --show "$img")
	mount "$dev" "$dir" || { losetup -d "$dev"; rm -f "$img"; exit 1; }
	majmin=$(lsblk -dn -o MAJ:MIN "$dev" | tr -d ' ')
	bdi=/sys/class/bdi/$majmin
	echo "$majmin $((mbps * 1000000))" >"$throttle"
	echo 4194304 >"$bdi/max_bytes"
	echo 1 >"$bdi/strict_limit"
	basename "$dev"
	;;
down)
	dev=$(dev_of "$dir")
	if [ -n "$dev" ]; then
		majmin=$(lsblk -dn -o MAJ:MIN "/dev/$dev" | tr -d ' ')
		echo "$majmin 0" >"$throttle" 2>/dev/null || true
		echo 0 >"/sys/class/bdi/$majmin/strict_limit" 2>/dev/null || true
		echo 100 >"/sys/class/bdi/$majmin/max_ratio" 2>/dev/null || true # the default
		umount "$dir"
		losetup -d "/dev/$dev" 2>/dev/null || true
	fi
	rm -f "$img"
	;;
*)
	echo "usage: slowdisk.sh up DIR MBPS | down DIR" >&2
	exit 2
	;;
esac
