package statusfile

import "fmt"

// ntStatusNames names the NTSTATUS values a crashing Windows process most
// often exits with, so that `status` says "access violation" instead of
// 3221225477.
var ntStatusNames = map[uint32]string{
	0xC0000005: "access violation",
	0xC0000017: "out of memory",
	0xC000001D: "illegal instruction",
	0xC0000094: "integer divide by zero",
	0xC0000096: "privileged instruction",
	0xC00000FD: "stack overflow",
	0xC0000135: "DLL not found",
	0xC0000139: "entry point not found",
	0xC0000142: "DLL initialization failed",
	0xC000013A: "terminated by Ctrl-C",
	0xC0000374: "heap corruption",
	0xC0000409: "stack buffer overrun (fail-fast)",
	0xC0000420: "assertion failure",
	0x40010004: "debugger terminated the process",
}

// DescribeExit returns a human reading of a child's exit: the code, its
// hexadecimal form and meaning when it is a known NTSTATUS, or the signal
// that killed a Unix child. code is -1 when a signal ended the process.
func DescribeExit(code int, signal string) string {
	if signal != "" {
		return "killed by " + signal
	}
	u := uint32(code)
	if name, ok := ntStatusNames[u]; ok {
		return fmt.Sprintf("%d (0x%08X, %s)", code, u, name)
	}
	if u >= 0xC0000000 {
		return fmt.Sprintf("%d (0x%08X, NTSTATUS error)", code, u)
	}
	return fmt.Sprintf("%d", code)
}
