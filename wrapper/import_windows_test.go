package wrapper

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc"

	"github.com/wrapper-dev/wrapper/config"
	"github.com/wrapper-dev/wrapper/internal/fakechild"
)

// reg runs reg.exe add with args (and /f) and fails the test on error.
func reg(t *testing.T, args ...string) {
	t.Helper()
	out, err := exec.Command("reg.exe", append(append([]string{"add"}, args...), "/f")...).CombinedOutput()
	if err != nil {
		t.Fatalf("reg add %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// nssmService creates service name as `nssm install` and `nssm set` leave
// it: an SCM service running bin (nssm.exe), and NSSM's parameters in the
// registry with the types NSSM writes. Its program is the test binary's
// service-child helper, logging to dir\logs.
func nssmService(t *testing.T, dir, name, bin string) {
	t.Helper()
	path, _, _ := fakechild.Command(t, "service-child")
	sc(t, "create", name, "binPath=", bin, "DisplayName=", "Orders (NSSM)", "start=", "demand",
		"obj=", `NT AUTHORITY\LocalService`)
	sc(t, "description", name, "Takes orders")
	// Wine's sc create depend= stores DependOnService with stray bytes
	// after the first name (wine-8.0): written here as Windows stores it.
	reg(t, `HKLM\SYSTEM\CurrentControlSet\Services\`+name, "/v", "DependOnService", "/t", "REG_MULTI_SZ", "/d", "RpcSs")
	p := `HKLM\SYSTEM\CurrentControlSet\Services\` + name + `\Parameters`
	for _, v := range [][]string{
		{"Application", "REG_EXPAND_SZ", path},
		{"AppParameters", "REG_EXPAND_SZ", ""},
		{"AppDirectory", "REG_EXPAND_SZ", dir},
		{"AppEnvironmentExtra", "REG_MULTI_SZ", fakechild.EnvVar + `=service-child\0ORDERS_MODE=%ORDERS_UNSET%`},
		{"AppStdout", "REG_EXPAND_SZ", filepath.Join(dir, "logs", name+".out.log")},
		{"AppStderr", "REG_EXPAND_SZ", filepath.Join(dir, "logs", name+".err.log")},
		{"AppRotateFiles", "REG_DWORD", "1"},
		{"AppRotateOnline", "REG_DWORD", "1"},
		{"AppRotateBytes", "REG_DWORD", "1048576"},
		{"AppRestartDelay", "REG_DWORD", "250"},
		{"AppThrottle", "REG_DWORD", "5000"},
		{"AppStopMethodSkip", "REG_DWORD", "6"},
		{"AppStopMethodConsole", "REG_DWORD", "10000"},
		{"AppPriority", "REG_DWORD", "16384"},
		{"AppAffinity", "REG_SZ", "0-1"},
		{"AppNoConsole", "REG_DWORD", "1"},
	} {
		reg(t, p, "/v", v[0], "/t", v[1], "/d", v[2])
	}
	reg(t, p+`\AppExit`, "/ve", "/t", "REG_SZ", "/d", "Restart")
	reg(t, p+`\AppExit`, "/v", "0", "/t", "REG_SZ", "/d", "Exit")
	reg(t, p+`\AppEvents\Start`, "/v", "Pre", "/t", "REG_EXPAND_SZ", "/d", "cmd.exe /c echo pre-start hook ran")
}

// TestImportNSSMService: an NSSM service written into Wine's registry as
// NSSM writes it is imported (wrapper import nssm NAME --out FILE), the
// YAML says what NSSM did and loads; then --replace stops the running
// service, runs it with the wrapper and that YAML, and starts it: same
// service, same account, the child's output in NSSM's log files, the hook
// run. (nssm.exe cannot run under this Wine, so the service runs a
// wrapper in NSSM's place until it is replaced; what it runs does not
// matter to the import, which reads the registry.)
func TestImportNSSMService(t *testing.T) {
	dir := fakechild.WorkDir(t)
	name := serviceName("wrapnssm")
	exe := serviceExe(t, dir, name)
	serviceYAML(t, dir, name)
	t.Cleanup(func() { deleteService(name) })
	nssmService(t, dir, name, exe)
	sc(t, "start", name)
	waitService(t, name, svc.Running)
	waitLog(t, dir, name+".out.log", "ready")

	out := filepath.Join(dir, "imported.yaml")
	code, output := runExe(t, exe, "import", "nssm", name, "--out", out)
	if code != ExitOK || !strings.Contains(output, "wrote "+out) || strings.Contains(output, "does not load") {
		t.Fatalf("import: exit %d\n%s", code, output)
	}
	yaml := readFileString(t, out)
	for _, want := range []string{`priority: "below-normal"`, `affinity: "0-1"`, "#   - AppNoConsole 1: ",
		`display_name: "Orders (NSSM)"`, `description: "Takes orders"`, `policy: "on-failure"`, "success_exit_codes: [0]",
		"delay: 250ms", "reset_after: 5s", "timeout: 10s", "window_timeout: 0s", "max_size: 1MB", `start_mode: "manual"`,
		`account: "NT AUTHORITY\\LocalService"`, `- "RpcSs"`, `- "cmd.exe"`} {
		if !strings.Contains(yaml, want) {
			t.Errorf("the YAML lacks %q:\n%s", want, yaml)
		}
	}
	cfg, err := config.Load(out, configOptions(exe))
	if err != nil {
		t.Fatalf("the imported YAML does not load: %v", err)
	}
	if cfg.Log.Dir != filepath.Join(dir, "logs") || cfg.Env[1] != "ORDERS_MODE=%ORDERS_UNSET%" {
		t.Errorf("log.dir %s, env %q", cfg.Log.Dir, cfg.Env)
	}

	replaced := filepath.Join(dir, name+"-wrapper.yaml")
	code, output = runExe(t, exe, "import", "nssm", name, "--out", replaced, "--replace")
	if code != ExitOK || !strings.Contains(output, "stopped service "+name) || !strings.Contains(output, "binary path of "+name+" was: "+exe) ||
		!strings.Contains(output, `account kept: NT AUTHORITY\LocalService`) || !strings.Contains(output, "now runs the wrapper") {
		t.Fatalf("import --replace: exit %d\n%s", code, output)
	}
	t.Logf("import --replace:\n%s", output)
	waitService(t, name, svc.Running)
	waitLog(t, dir, name+".wrapper.log", "pre-start hook ran")
	waitCount(t, filepath.Join(dir, "logs", name+".out.log"), "ready", 2) // the old program's, then the new one's
	bin, account := serviceBinary(t, name)
	if !strings.Contains(bin, exe) || !strings.Contains(bin, "--config") || !strings.Contains(bin, replaced) || account != `NT AUTHORITY\LocalService` {
		t.Errorf("after --replace the service runs %s as %s", bin, account)
	}
	// The imported service now runs a wrapper: `wrapper list` shows it,
	// with the YAML its binary path names.
	if code, out := runExe(t, exe, "list"); code != ExitOK || !strings.Contains(out, name) || !strings.Contains(out, replaced) {
		t.Errorf("wrapper list: exit %d, want the imported service with its YAML\n%s", code, out)
	}
	sc(t, "stop", name)
	waitService(t, name, svc.Stopped)
	waitCount(t, filepath.Join(dir, "logs", name+".out.log"), "got ctrl-c", 2)
}

// waitCount waits until the file holds want n times.
func waitCount(t *testing.T, path, want string, n int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		b, _ := os.ReadFile(path)
		if strings.Count(string(b), want) >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never held %q %d times:\n%s", path, want, n, b)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestImportReplaceRollback: when the wrapper does not start in the old
// service's place (here its log directory cannot be created), --replace
// fails and puts the old binary path back.
func TestImportReplaceRollback(t *testing.T) {
	dir := fakechild.WorkDir(t)
	name := serviceName("wrapnssmback")
	exe := serviceExe(t, dir, name)
	t.Cleanup(func() { deleteService(name) })
	nssmService(t, dir, name, `C:\nssm\win64\nssm.exe`)
	writeFile(t, dir, "blocker", "a file where the log directory's parent should be\n")
	p := `HKLM\SYSTEM\CurrentControlSet\Services\` + name + `\Parameters`
	reg(t, p, "/v", "AppStdout", "/t", "REG_EXPAND_SZ", "/d", filepath.Join(dir, "blocker", "logs", "out.log"))
	reg(t, p, "/v", "AppStderr", "/t", "REG_EXPAND_SZ", "/d", filepath.Join(dir, "blocker", "logs", "err.log"))

	code, output := runExe(t, exe, "import", "nssm", name, "--out", filepath.Join(dir, name+".yaml"), "--replace")
	if code == ExitOK || !strings.Contains(output, "stopped at start") ||
		!strings.Contains(output, `restored the binary path of `+name+`: C:\nssm\win64\nssm.exe`) {
		t.Fatalf("import --replace: exit %d\n%s", code, output)
	}
	if bin, _ := serviceBinary(t, name); bin != `C:\nssm\win64\nssm.exe` {
		t.Errorf("after the failed --replace the service runs %s", bin)
	}
}

// TestImportNSSMErrors: a service that does not exist (exit 6) and one
// that is not NSSM's (exit 2).
func TestImportNSSMErrors(t *testing.T) {
	dir := fakechild.WorkDir(t)
	name := serviceName("wrapnotnssm")
	exe := serviceExe(t, dir, name)
	if code, out := runExe(t, exe, "import", "nssm", name); code != ExitNotRunning || !strings.Contains(out, "not installed") {
		t.Errorf("a missing service: exit %d\n%s", code, out)
	}
	t.Cleanup(func() { deleteService(name) })
	sc(t, "create", name, "binPath=", exe)
	if code, out := runExe(t, exe, "import", "nssm", name); code != ExitUsage || !strings.Contains(out, "not an NSSM service") {
		t.Errorf("a service without NSSM's parameters: exit %d\n%s", code, out)
	}
}

// serviceBinary reads a service's binary path and account with the raw
// QueryServiceConfig (mgr's Config fails under Wine).
func serviceBinary(t *testing.T, name string) (bin, account string) {
	t.Helper()
	s, done := openSCMService(t, name)
	defer done()
	buf := make([]uint64, 1024)
	qc := (*windows.QUERY_SERVICE_CONFIG)(unsafe.Pointer(&buf[0]))
	var needed uint32
	if err := windows.QueryServiceConfig(s.Handle, qc, uint32(len(buf)*8), &needed); err != nil {
		t.Fatalf("QueryServiceConfig: %v", err)
	}
	return windows.UTF16PtrToString(qc.BinaryPathName), windows.UTF16PtrToString(qc.ServiceStartName)
}
