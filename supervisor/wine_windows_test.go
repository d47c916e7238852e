package supervisor

import "golang.org/x/sys/windows"

// underWine reports whether the test runs under Wine, whose ntdll exports
// wine_get_version, which Windows' does not: for the few facts Wine does
// not reproduce (docs/windows-testing.md).
func underWine() bool {
	return windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
}
