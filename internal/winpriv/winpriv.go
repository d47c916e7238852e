// Package winpriv enables the Windows privileges a wrapper's token holds
// but has disabled: the SCM gives a service its privileges switched off,
// and each call that needs one (raising a priority class, setting a
// service's reboot action) checks that it is enabled. Windows only; the
// package is empty elsewhere.
package winpriv
