package supervisor

import "testing"

// TestCgroupDir: the cgroup's directory under the cgroup2 mount that shows
// it, unified or hybrid, whole or a subtree (a container's), with
// mountinfo's escapes undone; none when no cgroup2 mount shows it.
func TestCgroupDir(t *testing.T) {
	const (
		unified = "35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate\n"
		hybrid  = "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n" +
			"42 31 0:39 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
		subtree = "50 40 0:30 /system.slice/app.service /sys/fs/cgroup ro,relatime - cgroup2 cgroup2 rw\n"
		spaced  = "60 40 0:30 / /mnt/c\\040g rw - cgroup2 none rw\n"
		tmpfs   = "70 40 0:31 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n"
	)
	tests := []struct {
		mountinfo, rel, want string
	}{
		{unified, "/system.slice/app.service", "/sys/fs/cgroup/system.slice/app.service"},
		{unified, "/", "/sys/fs/cgroup"},
		{hybrid, "/user.slice/session-3.scope", "/sys/fs/cgroup/unified/user.slice/session-3.scope"},
		{subtree, "/system.slice/app.service/payload", "/sys/fs/cgroup/payload"},
		{subtree, "/system.slice/app.service", "/sys/fs/cgroup"},
		{subtree, "/system.slice/app.servicex", ""},
		{subtree, "/other.slice", ""},
		{spaced, "/a", "/mnt/c g/a"},
		{tmpfs, "/a", ""},
	}
	for _, tt := range tests {
		got, ok := cgroupDir([]byte(tt.mountinfo), tt.rel)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("cgroupDir(%q, %q) = %q, %v; want %q", tt.mountinfo, tt.rel, got, ok, tt.want)
		}
	}
}
