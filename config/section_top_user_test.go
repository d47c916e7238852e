package config

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestUserRules: user and group as written, and every combination the
// wrapper could not carry out refused at load, naming the key and line.
func TestUserRules(t *testing.T) {
	tests := []struct {
		name    string
		top     string
		windows bool
		user    string
		group   string
		err     string // the whole problem; "" for success
	}{
		{"user alone", "user: app\n", false, "app", "", ""},
		{"user and group", "user: app\ngroup: staff\n", false, "app", "staff", ""},
		{"by id", "user: 65534\ngroup: 65534\n", false, "65534", "65534", ""},
		{"under a root unit", "user: app\nservice: {user: root, group: root}\n", false, "app", "", ""},
		{"under the same account", "user: app\ngroup: g\nservice: {user: app, group: g}\n", false, "app", "g", ""},
		{"same account, no group", "user: app\nservice: {user: app, group: g}\n", false, "app", "", ""},
		{"capabilities without a switch", "user: app\nservice: {user: app, capabilities: [NET_BIND_SERVICE]}\n", false, "app", "", ""},
		{"empty on Windows", "user: \"\"\ngroup: \"\"\n", true, "", "", ""},
		{"group without user", "group: staff\n", false, "", "staff",
			"svc.yaml:2: group: needs user: it is the primary group of the account the program runs as"},
		{"spaces", "user: my app\n", false, "", "",
			"svc.yaml:2: user: must not contain spaces or control characters"},
		{"another unit account", "user: app\nservice: {user: web}\n", false, "app", "",
			`svc.yaml:2: user: "app" differs from service.user "web", the account systemd runs the wrapper as, which cannot switch accounts without root: set service.user: root to have the wrapper run the program as "app", or write the same account in both`},
		{"another unit group", "user: app\ngroup: staff\nservice: {user: app}\n", false, "app", "staff",
			`svc.yaml:3: group: "staff" differs from service.group "": the wrapper runs as service.user "app", which cannot change its group without root: write the same group in both, or set service.user: root`},
		{"capabilities lost", "user: app\nservice: {user: root, capabilities: [CAP_NET_BIND_SERVICE]}\n", false, "app", "",
			`svc.yaml:2: user: the switch to "app" would drop service.capabilities (the kernel clears the capabilities of root when it becomes another user): set service.user: app to run the service as that account with its capabilities, and remove user`},
		{"user on Windows", "user: app\ngroup: staff\n", true, "", "",
			"svc.yaml:2: user: not on Windows, where the program runs as the service's account: name that account with service.account, and remove user"},
		{"group on Windows", "group: staff\n", true, "", "",
			"svc.yaml:2: group: not on Windows, where the program runs as the service's account: name that account with service.account, and remove group"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseTop(t, tt.top, tt.windows)
			if tt.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				if c.User != tt.user || c.Group != tt.group {
					t.Errorf("user %q, group %q; want %q, %q", c.User, c.Group, tt.user, tt.group)
				}
				if err := c.CheckUser(); err != nil {
					t.Errorf("CheckUser() = %v on a configuration that loads", err)
				}
				return
			}
			ps := checkProblems(t, err)
			if len(ps) != 1 || !strings.HasSuffix(ps[0].Error(), string(filepath.Separator)+tt.err) {
				t.Errorf("got %v\nwant %s", err, tt.err)
			}
		})
	}
}

// TestCheckUser: install --csv replaces service.user after loading; the
// same rules then apply to the account it wrote.
func TestCheckUser(t *testing.T) {
	c, err := parseTop(t, "user: app\nservice: {user: root}\n", false)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CheckUser(); err != nil {
		t.Fatalf("under root: %v", err)
	}
	c.Service.User = "web"
	if err := c.CheckUser(); err == nil || !strings.HasPrefix(err.Error(), `user: "app" differs from service.user "web"`) {
		t.Errorf("under web: %v, want the user conflict", err)
	}
	c.User = ""
	if err := c.CheckUser(); err != nil {
		t.Errorf("without user: %v, want nil", err)
	}
}
