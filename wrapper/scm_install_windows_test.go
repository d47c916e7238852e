package wrapper

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"unsafe"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc"

	"github.com/wrapper-dev/wrapper/internal/fakechild"
	"github.com/wrapper-dev/wrapper/internal/scm"
)

// binaryOf reads the binary path the SCM holds for service name.
func binaryOf(t *testing.T, name string) string {
	t.Helper()
	s, done := openSCMService(t, name)
	defer done()
	buf := make([]byte, 8192)
	qc := (*windows.QUERY_SERVICE_CONFIG)(unsafe.Pointer(&buf[0]))
	var needed uint32
	if err := windows.QueryServiceConfig(s.Handle, qc, uint32(len(buf)), &needed); err != nil {
		t.Fatalf("QueryServiceConfig: %v", err)
	}
	return windows.UTF16PtrToString(qc.BinaryPathName)
}

// TestSCMForeignService: install and uninstall leave a service that does
// not run a wrapper (made with sc create, running notepad.exe) as it is,
// until --force; a service that runs another copy of the wrapper is
// recognised as one and updated without it. Before the check, install
// rewrote the foreign service's binary path and account, and uninstall
// deleted it.
func TestSCMForeignService(t *testing.T) {
	dir := fakechild.WorkDir(t)
	name := serviceName("wrapforeign")
	exe := serviceExe(t, dir, name)
	serviceYAML(t, dir, name)
	t.Cleanup(func() { deleteService(name) })
	foreign := `C:\windows\system32\notepad.exe`
	sc(t, "create", name, "binPath=", foreign)
	for _, cmd := range []string{"install", "uninstall"} {
		code, out := runExe(t, exe, cmd)
		if code != ExitError || !strings.Contains(out, "is not a wrapper service: it runs") || !strings.Contains(out, "--force") {
			t.Errorf("wrapper %s over %s: exit %d, want %d with the program and --force; output:\n%s", cmd, foreign, code, ExitError, out)
		}
		if got := binaryOf(t, name); !strings.EqualFold(got, foreign) {
			t.Fatalf("after wrapper %s the service runs %s, not %s", cmd, got, foreign)
		}
	}
	if code, out := runExe(t, exe, "install", "--force"); code != ExitOK || !strings.Contains(out, "updated") {
		t.Fatalf("install --force: exit %d; output:\n%s", code, out)
	}
	checkInstalled(t, name, exe, name)

	// Another copy of the wrapper, elsewhere: recognised by its build
	// information, so install takes the service over without --force.
	other := serviceName("wrapother")
	t.Cleanup(func() { deleteService(other) })
	sc(t, "create", other, "binPath=", serviceExe(t, fakechild.WorkDir(t), "copy"))
	writeFile(t, dir, name+".yaml", readFileString(t, filepath.Join(dir, name+".yaml"))+"name: "+other+"\n")
	if code, out := runExe(t, exe, "install"); code != ExitOK || !strings.Contains(out, "updated") {
		t.Fatalf("install over another wrapper: exit %d; output:\n%s", code, out)
	}
	if code, out := runExe(t, exe, "uninstall"); code != ExitOK {
		t.Fatalf("uninstall of a wrapper service: exit %d; output:\n%s", code, out)
	}
	if st := scm.State(other); st != "not installed" {
		t.Errorf("after uninstall the service is %q", st)
	}
}

// grantEveryone adds an entry to path's DACL that lets Everyone write:
// what an administrator's folder under C:\ inherits for Authenticated
// Users on Windows, or a Unix mode with o+w under Wine.
func grantEveryone(t *testing.T, path string) {
	t.Helper()
	everyone, err := windows.CreateWellKnownSid(windows.WinWorldSid)
	if err != nil {
		t.Fatal(err)
	}
	sd, err := windows.GetNamedSecurityInfo(path, windows.SE_FILE_OBJECT, windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		t.Fatal(err)
	}
	old, _, err := sd.DACL()
	if err != nil {
		t.Fatal(err)
	}
	acl, err := windows.ACLFromEntries([]windows.EXPLICIT_ACCESS{{
		AccessPermissions: windows.GENERIC_READ | windows.GENERIC_WRITE,
		AccessMode:        windows.GRANT_ACCESS,
		Trustee: windows.TRUSTEE{TrusteeForm: windows.TRUSTEE_IS_SID, TrusteeType: windows.TRUSTEE_IS_WELL_KNOWN_GROUP,
			TrusteeValue: windows.TrusteeValueFromSID(everyone)},
	}}, old)
	if err != nil {
		t.Fatal(err)
	}
	if err := windows.SetNamedSecurityInfo(path, windows.SE_FILE_OBJECT, windows.DACL_SECURITY_INFORMATION, nil, nil, acl, nil); err != nil {
		t.Fatal(err)
	}
}

// TestAttackSCMInstallRefusesFilesOthersCanChange: a YAML, or the folder
// that holds the wrapper (where a DLL or a <name>.yaml could be planted),
// that Everyone may write makes install refuse (exit 2, naming the file
// and Everyone) and leave the SCM alone; --force installs with warnings.
// Before the check install registered the service regardless.
func TestAttackSCMInstallRefusesFilesOthersCanChange(t *testing.T) {
	for _, target := range []string{"yaml", "folder"} {
		t.Run(target, func(t *testing.T) {
			dir := fakechild.WorkDir(t)
			name := serviceName("wraptrust" + target)
			exe := serviceExe(t, dir, name)
			serviceYAML(t, dir, name)
			t.Cleanup(func() { deleteService(name) })
			path := filepath.Join(dir, name+".yaml")
			if target == "folder" {
				path = dir
			}
			grantEveryone(t, path)
			code, out := runExe(t, exe, "install")
			if code != ExitUsage || !strings.Contains(out, path+": Everyone") || !strings.Contains(out, "--force") {
				t.Fatalf("install: exit %d, want %d naming %s and Everyone; output:\n%s", code, ExitUsage, path, out)
			}
			if st := scm.State(name); st != "not installed" {
				t.Fatalf("install refused but the service is %q", st)
			}
			if code, out := runExe(t, exe, "install", "--force"); code != ExitOK || !strings.Contains(out, "warning: "+path+": Everyone") {
				t.Errorf("install --force: exit %d, want a warning; output:\n%s", code, out)
			}
		})
	}
}

// TestSCMList: `wrapper list` shows the services that run a wrapper: one
// made by `wrapper install` (its YAML beside its exe), one made by plain
// `sc create` pointing at another copy of the wrapper with --config, with
// their SCM states; not a service that runs notepad.exe. `status` shows
// where the installed preshutdown timeout differs from the YAML's stop
// budget, the one setting beyond the configuration that Wine reads back.
func TestSCMList(t *testing.T) {
	dir := fakechild.WorkDir(t)
	installed := serviceName("wraplist")
	exe := serviceExe(t, dir, installed)
	serviceYAML(t, dir, installed)
	t.Cleanup(func() { deleteService(installed) })
	if code, out := runExe(t, exe, "install"); code != ExitOK {
		t.Fatalf("install: exit %d\n%s", code, out)
	}
	otherDir := fakechild.WorkDir(t)
	made := serviceName("wraplistsc")
	copyExe := serviceExe(t, otherDir, "copy")
	madeYAML := filepath.Join(otherDir, "my conf.yaml")
	t.Cleanup(func() { deleteService(made) })
	sc(t, "create", made, "binPath=", fmt.Sprintf(`"%s" --config "%s"`, copyExe, madeYAML))
	foreign := serviceName("wraplistnp")
	t.Cleanup(func() { deleteService(foreign) })
	sc(t, "create", foreign, "binPath=", `C:\windows\system32\notepad.exe`)
	sc(t, "start", installed)
	waitService(t, installed, svc.Running)

	code, out := runExe(t, exe, "list", "--json")
	var rows []listedService
	if err := json.Unmarshal([]byte(out), &rows); code != ExitOK || err != nil {
		t.Fatalf("list --json: exit %d, %v\n%s", code, err, out)
	}
	byName := map[string]listedService{}
	for _, r := range rows {
		byName[r.Name] = r
	}
	want := map[string]listedService{
		installed: {Name: installed, State: "RUNNING", Config: filepath.Join(dir, installed+".yaml"), Program: exe},
		made:      {Name: made, State: "STOPPED", Config: madeYAML, Program: copyExe},
	}
	for name, w := range want {
		if got := byName[name]; !strings.EqualFold(got.Program, w.Program) || got.State != w.State || !strings.EqualFold(got.Config, w.Config) {
			t.Errorf("list: %s is %+v, want %+v", name, got, w)
		}
	}
	if _, ok := byName[foreign]; ok {
		t.Errorf("list shows %s, which runs notepad.exe", foreign)
	}
	if code, out := runExe(t, exe, "list"); code != ExitOK || !strings.Contains(out, installed) || !strings.Contains(out, "PROGRAM") {
		t.Errorf("list: exit %d\n%s", code, out)
	}

	if _, out := runExe(t, exe, "status"); strings.Contains(out, "differs") {
		t.Errorf("status right after install shows drift:\n%s", out)
	}
	writeFile(t, dir, installed+".yaml", strings.Replace(readFileString(t, filepath.Join(dir, installed+".yaml")),
		"stop: {timeout: 10s,", "stop: {timeout: 20s,", 1))
	if _, out := runExe(t, exe, "status"); !strings.Contains(out, "installed service differs: preshutdown timeout is 16s, the YAML's stop budget is 26s") {
		t.Errorf("status after stop.timeout changed lacks the preshutdown drift:\n%s", out)
	}
}
