package wrapper

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"unsafe"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc/mgr"

	"github.com/wrapper-dev/wrapper/internal/fakechild"
	"github.com/wrapper-dev/wrapper/internal/scm"
)

// scmConfigOf reads the start type, display name and binary path the SCM
// holds for name (raw QueryServiceConfig: mgr's Config fails under Wine).
func scmConfigOf(t *testing.T, name string) (start uint32, display, binary string) {
	t.Helper()
	s, done := openSCMService(t, name)
	defer done()
	buf := make([]byte, 8192)
	qc := (*windows.QUERY_SERVICE_CONFIG)(unsafe.Pointer(&buf[0]))
	var needed uint32
	if err := windows.QueryServiceConfig(s.Handle, qc, uint32(len(buf)), &needed); err != nil {
		t.Fatalf("QueryServiceConfig: %v", err)
	}
	return qc.StartType, windows.UTF16PtrToString(qc.DisplayName), windows.UTF16PtrToString(qc.BinaryPathName)
}

// TestSCMInstallCSV: `wrapper install --csv` against the real SCM: two
// services from one CSV, whose YAMLs have no name: (a service takes the
// name the SCM gives it, the CSV's); the same CSV again changes nothing
// ("unchanged", compared with what the SCM holds, and no step is run: no
// warning); a changed CSV and YAML update both; then unchanged again. No
// service.dependencies: Wine's QueryServiceConfig reports none, so a
// service with some would read as changed on every run there.
func TestSCMInstallCSV(t *testing.T) {
	dir := fakechild.WorkDir(t)
	exe := serviceExe(t, dir, "wrapper")
	a, b := serviceName("wrapcsva"), serviceName("wrapcsvb")
	for _, n := range []string{a, b} {
		serviceYAML(t, dir, n)
		writeFile(t, dir, n+".yaml", readFileString(t, filepath.Join(dir, n+".yaml"))+
			"display_name: CSV "+n+"\nservice: {account: LocalSystem}\n")
		t.Cleanup(func() { deleteService(n) })
	}
	csv := writeFile(t, dir, "services.csv", "name,config,start_mode\r\n"+a+","+a+".yaml,\r\n"+b+","+b+".yaml,manual\r\n")
	// install runs it and wants code and each of the lines (stdout and
	// stderr come mixed).
	install := func(code int, want ...string) {
		t.Helper()
		got, out := runExe(t, exe, "install", "--csv", csv)
		if strings.Contains(want[0], "unchanged") && strings.Contains(out, "warning") {
			t.Errorf("an unchanged run ran install steps:\n%s", out)
		}
		for _, w := range want {
			if got != code || !strings.Contains(out, w) {
				t.Fatalf("install --csv: exit %d, want %d with %q; output:\n%s", got, code, w, out)
			}
		}
	}
	install(ExitOK, a+": installed\n", b+": installed\n")
	for n, want := range map[string]uint32{a: mgr.StartAutomatic, b: mgr.StartManual} {
		start, display, bin := scmConfigOf(t, n)
		if start != want || display != "CSV "+n || !strings.Contains(strings.ToLower(bin), strings.ToLower(`--config `+filepath.Join(dir, n+".yaml"))) {
			t.Errorf("%s: start %d (want %d), display %q, binary %s", n, start, want, display, bin)
		}
	}
	install(ExitOK, a+": unchanged\n", b+": unchanged\n")
	// Services made from a CSV are wrappers to `wrapper list` too.
	if code, out := runExe(t, exe, "list"); code != ExitOK || !strings.Contains(out, a) || !strings.Contains(out, b) {
		t.Errorf("wrapper list: exit %d, want both CSV services listed\n%s", code, out)
	}

	writeFile(t, dir, "services.csv", "name,config,start_mode\r\n"+a+","+a+".yaml,manual\r\n"+b+","+b+".yaml,manual\r\n")
	writeFile(t, dir, b+".yaml", strings.Replace(readFileString(t, filepath.Join(dir, b+".yaml")), "CSV "+b, "CSV 2 "+b, 1))
	install(ExitOK, a+": updated\n", b+": updated\n")
	if start, _, _ := scmConfigOf(t, a); start != mgr.StartManual {
		t.Errorf("%s: start type %d, want manual", a, start)
	}
	if _, display, _ := scmConfigOf(t, b); display != "CSV 2 "+b {
		t.Errorf("%s: display name %q", b, display)
	}
	install(ExitOK, a+": unchanged\n", b+": unchanged\n")

	// A row that names the wrong YAML: nothing is changed, exit 2.
	writeFile(t, dir, b+".yaml", readFileString(t, filepath.Join(dir, b+".yaml"))+"name: "+a+"\n")
	writeFile(t, dir, "services.csv", "name,config\r\n"+a+","+a+".yaml,auto\r\n"+b+","+b+".yaml\r\n")
	install(ExitUsage, "wrong number of fields")
	writeFile(t, dir, "services.csv", "name,config,start_mode\r\n"+a+","+a+".yaml,auto\r\n"+b+","+b+".yaml,\r\n")
	install(ExitUsage, `services.csv:3: name: "`+b+`", but `)
	if start, _, _ := scmConfigOf(t, a); start != mgr.StartManual {
		t.Errorf("%s changed although another row was wrong: start type %d", a, start)
	}
}

// TestSCMInstallCSVRollsBack: when installing a new service fails after
// the SCM created it, install --csv deletes it again and reports the row
// as failed, and the other rows are still applied.
func TestSCMInstallCSVRollsBack(t *testing.T) {
	dir := fakechild.WorkDir(t)
	serviceExe(t, dir, "unused") // skips unless the SCM tests run (make test-windows)
	a, b := serviceName("wrapcsvfail"), serviceName("wrapcsvok")
	for _, n := range []string{a, b} {
		serviceYAML(t, dir, n)
		writeFile(t, dir, n+".yaml", readFileString(t, filepath.Join(dir, n+".yaml"))+"service: {account: LocalSystem}\n")
		t.Cleanup(func() { deleteService(n) })
	}
	csv := writeFile(t, dir, "services.csv", "name,config\n"+a+","+a+".yaml\n"+b+","+b+".yaml\n")
	old := scmInstall
	t.Cleanup(func() { scmInstall = old })
	scmInstall = func(s scm.Service, force bool, warn func(string)) (bool, error) {
		created, err := old(s, force, warn)
		if err == nil && s.Name == a {
			return created, errors.New("injected failure after the SCM created the service")
		}
		return created, err
	}
	// This process is the wrapper here: the test binary, under Wine's
	// world-writable Z:\tmp, which only --force lets install use.
	code, stdout, stderr := runMain(t, "install", "--csv", csv, "--force")
	if code != ExitError || stdout != a+": failed: injected failure after the SCM created the service\n"+b+": installed\n" {
		t.Fatalf("install --csv: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, ExitError, stdout, stderr)
	}
	if st := scm.State(a); st != "not installed" {
		t.Errorf("the failed row's service is %q, want it deleted", st)
	}
	if st := scm.State(b); st == "not installed" {
		t.Errorf("the good row's service is %q", st)
	}
}
