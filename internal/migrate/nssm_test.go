package migrate

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// Values of the registry types, for the tables.
func sz(s string) Value                  { return Value{Kind: String, Str: s} }
func esz(s string) Value                 { return Value{Kind: ExpandString, Str: s} }
func msz(s ...string) Value              { return Value{Kind: MultiString, Strs: s} }
func dword(n uint64) Value               { return Value{Kind: DWord, Num: n} }
func binary() Value                      { return Value{Kind: Other} }
func dur(d time.Duration) *time.Duration { return &d }

// nssmService returns the keys of a plain NSSM service (what `nssm install
// orders C:\Orders\orders.exe` writes), with params added to Parameters.
func nssmService(params Values) NSSMKeys {
	k := NSSMKeys{
		Name:       "orders",
		Service:    Values{"Start": dword(2), "ObjectName": sz("LocalSystem"), "ImagePath": esz(`C:\nssm\nssm.exe`), "Type": dword(0x10)},
		Parameters: Values{"Application": esz(`C:\Orders\orders.exe`), "AppParameters": esz(""), "AppDirectory": esz(`C:\Orders`)},
		Exit:       Values{"": sz("Restart")},
	}
	for n, v := range params {
		k.Parameters[n] = v
	}
	return k
}

// nssmComplete sets every parameter NSSM documents, as NSSM writes them.
func nssmComplete() NSSMKeys {
	k := nssmService(Values{
		"Application":                  esz(`%ProgramFiles%\Orders\orders.exe`),
		"AppParameters":                esz(`--port 8080 --data "C:\Orders Data\\" --token $ecret -Dopts=%ORDERS_OPTS%`),
		"AppDirectory":                 esz(`C:\Orders\work`),
		"AppEnvironment":               msz(`PATH=C:\Windows\System32`, `PATH=C:\Orders\bin;%PATH%`, `TEMP=C:\Orders\tmp`),
		"AppEnvironmentExtra":          msz(`ORDERS_MODE=production`, `NOT AN ENTRY`, `ORDERS_OPTS=-Xmx1g`),
		"AppStdin":                     esz(`C:\Orders\input.txt`),
		"AppStdout":                    esz(`C:\Orders\logs\orders.out.log`),
		"AppStderr":                    esz(`C:\Orders\logs\orders.err.log`),
		"AppStdoutCreationDisposition": dword(2),
		"AppRotateFiles":               dword(1),
		"AppRotateOnline":              dword(1),
		"AppRotateSeconds":             dword(86400),
		"AppRotateBytes":               dword(1048576),
		"AppRotateBytesHigh":           dword(0),
		"AppRotateDelay":               dword(500),
		"AppTimestampLog":              dword(1),
		"AppRestartDelay":              dword(5000),
		"AppThrottle":                  dword(10000),
		"AppStopMethodSkip":            dword(6),
		"AppStopMethodConsole":         dword(20000),
		"AppStopMethodWindow":          dword(3000),
		"AppStopMethodThreads":         dword(4000),
		"AppKillProcessTree":           dword(0),
		"AppPriority":                  dword(0x4000),
		"AppAffinity":                  sz("0-3,8"),
		"AppNoConsole":                 dword(1),
		"AppRedirectHook":              dword(1),
		"AppFrobnicate":                dword(1),
	})
	k.Service["DisplayName"] = sz("Orders (NSSM)")
	k.Service["Description"] = sz("Takes orders.\r\nSecond line.")
	k.Service["DelayedAutostart"] = dword(1)
	k.Service["ObjectName"] = sz(`.\orders`)
	k.Service["DependOnService"] = msz("Tcpip", "Afd")
	k.Service["DependOnGroup"] = msz("NetworkProvider")
	k.Service["Type"] = dword(0x110)
	k.Service["FailureActions"] = binary()
	k.Exit = Values{"": sz("Restart"), "0": sz("Exit"), "2": sz("Suicide"), "3": sz("Ignore")}
	k.Events = map[string]Values{
		"Start":  {"Pre": esz(`C:\Orders\tools\migrate.exe --up`), "Post": esz(`"C:\Program Files\Notify\notify.exe" started`)},
		"Stop":   {"Pre": esz(`%NSSM_EXE% rotate %NSSM_SERVICE_NAME%`)},
		"Exit":   {"Post": esz(`C:\Orders\tools\cleanup.exe --all`)},
		"Power":  {"Resume": esz(`C:\Orders\tools\resume.exe`)},
		"Rotate": {"Pre": esz("")},
	}
	return k
}

// mustNSSM imports k or fails the test.
func mustNSSM(t *testing.T, k NSSMKeys) Service {
	t.Helper()
	s, err := NSSM(k, NSSMOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// listed reports whether a line of lines contains every part of want.
func listed(lines []string, want ...string) bool {
	return slices.ContainsFunc(lines, func(l string) bool {
		for _, w := range want {
			if !strings.Contains(l, w) {
				return false
			}
		}
		return true
	})
}

func TestNSSMNotNSSM(t *testing.T) {
	k := nssmService(nil)
	delete(k.Parameters, "Application")
	if _, err := NSSM(k, NSSMOptions{}); !errors.Is(err, ErrNotNSSM) {
		t.Errorf("no Application: %v, want ErrNotNSSM", err)
	}
}

// TestNSSMPlain: what `nssm install` writes maps to a plain YAML, with
// NSSM's behaviour kept: always restart, never give up, its pauses and
// stop steps, LocalSystem, the program's folder as working directory.
func TestNSSMPlain(t *testing.T) {
	k := nssmService(nil)
	delete(k.Parameters, "AppDirectory")
	s := mustNSSM(t, k)
	r := s.Restart
	if s.Name != "orders" || s.Executable != `C:\Orders\orders.exe` || s.Arguments != nil || s.WorkingDirectory != `C:\Orders` {
		t.Errorf("command: %+v", s)
	}
	if r.Policy != "always" || *r.MaxFailures != 0 || *r.Delay != time.Second || *r.MaxDelay != 128*time.Second || *r.ResetAfter != 1500*time.Millisecond {
		t.Errorf("restart: %+v", r)
	}
	if *s.Stop.Timeout != 1500*time.Millisecond || *s.Stop.WindowTimeout != 1500*time.Millisecond {
		t.Errorf("stop: %+v", s.Stop)
	}
	if s.SCM.Account != "LocalSystem" || s.SCM.StartMode != "" || s.Log.Dir != "" {
		t.Errorf("service %+v, log %+v", s.SCM, s.Log)
	}
	if len(s.Unmapped) != 0 || !listed(s.Notes, "did not capture the output") {
		t.Errorf("unmapped %q, notes %q", s.Unmapped, s.Notes)
	}
}
