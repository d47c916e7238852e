package migrate

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"
)

// regAdd runs reg.exe add with args, as an admin writing NSSM's values by
// hand would; it skips the test where HKLM cannot be written (a Windows
// prompt without elevation; Wine runs as an administrator).
func regAdd(t *testing.T, args ...string) {
	t.Helper()
	out, err := exec.Command("reg.exe", append([]string{"add"}, append(args, "/f")...)...).CombinedOutput()
	if err != nil {
		if strings.Contains(strings.ToLower(string(out)), "denied") {
			t.Skipf("reg add needs an elevated prompt: %s", out)
		}
		t.Fatalf("reg add %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// TestReadNSSM writes an NSSM service's values with reg.exe, with the
// types NSSM gives them, and reads them back with ReadNSSM.
func TestReadNSSM(t *testing.T) {
	name := fmt.Sprintf("wrapmigrate%d", os.Getpid())
	key := `HKLM\SYSTEM\CurrentControlSet\Services\` + name
	t.Cleanup(func() { _ = exec.Command("reg.exe", "delete", key, "/f").Run() })
	regAdd(t, key, "/v", "DisplayName", "/t", "REG_SZ", "/d", "Orders")
	regAdd(t, key, "/v", "Start", "/t", "REG_DWORD", "/d", "3")
	regAdd(t, key, "/v", "DependOnService", "/t", "REG_MULTI_SZ", "/d", `Tcpip\0Afd`)
	p := key + `\Parameters`
	regAdd(t, p, "/v", "Application", "/t", "REG_EXPAND_SZ", "/d", `%SystemRoot%\orders.exe`)
	regAdd(t, p, "/v", "AppParameters", "/t", "REG_EXPAND_SZ", "/d", `--home "%ORDERS_HOME%"`)
	regAdd(t, p, "/v", "AppAffinity", "/t", "REG_SZ", "/d", "0-1")
	regAdd(t, p, "/v", "AppThrottle", "/t", "REG_DWORD", "/d", "5000")
	regAdd(t, p, "/v", "AppEnvironmentExtra", "/t", "REG_MULTI_SZ", "/d", `A=1\0B=%A%`)
	regAdd(t, p+`\AppExit`, "/ve", "/t", "REG_SZ", "/d", "Restart")
	regAdd(t, p+`\AppExit`, "/v", "0", "/t", "REG_SZ", "/d", "Exit")
	regAdd(t, p+`\AppEvents\Start`, "/v", "Pre", "/t", "REG_EXPAND_SZ", "/d", `C:\tools\up.exe --now`)

	got, err := ReadNSSM(name)
	if err != nil {
		t.Fatal(err)
	}
	want := NSSMKeys{
		Name:    name,
		Service: Values{"DisplayName": sz("Orders"), "Start": dword(3), "DependOnService": msz("Tcpip", "Afd")},
		Parameters: Values{"Application": esz(`%SystemRoot%\orders.exe`), "AppParameters": esz(`--home "%ORDERS_HOME%"`),
			"AppAffinity": sz("0-1"), "AppThrottle": dword(5000), "AppEnvironmentExtra": msz("A=1", "B=%A%")},
		Exit:   Values{"": sz("Restart"), "0": sz("Exit")},
		Events: map[string]Values{"Start": {"Pre": esz(`C:\tools\up.exe --now`)}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ReadNSSM:\n got %+v\nwant %+v", got, want)
	}

	if _, err := ReadNSSM(name + "-missing"); !errors.Is(err, ErrNoService) {
		t.Errorf("a missing service: %v, want ErrNoService", err)
	}
	other := key + "-plain"
	t.Cleanup(func() { _ = exec.Command("reg.exe", "delete", other, "/f").Run() })
	regAdd(t, other, "/v", "Start", "/t", "REG_DWORD", "/d", "3")
	if _, err := ReadNSSM(name + "-plain"); !errors.Is(err, ErrNotNSSM) {
		t.Errorf("a service without Parameters: %v, want ErrNotNSSM", err)
	}
}
