package wrapper

import "context"

// reloadOnSignal does nothing on Windows: there is no reload signal; the
// service handler turns `sc control NAME paramchange` into a reload request
// on the control pipe instead.
func (h *host) reloadOnSignal(context.Context) (stop func()) { return func() {} }
