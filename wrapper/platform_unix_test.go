//go:build unix

package wrapper

// platformHelpers are the fake-child helpers only this platform's tests use.
var platformHelpers = []string{"wrapper", "hang", "dial"}
