package supervisor

import "syscall"

// runAs does nothing: Windows refuses an Account (see checkSched), and
// its child runs as the service's account.
func runAs(*syscall.SysProcAttr, *Account) {}
