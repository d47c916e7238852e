package scm

import "strings"

// Event is one kind of record the wrapper writes to the Event Log, with
// its stable ID. docs/windows.md lists them; a test keeps the two in step
// and checks that every message the wrapper logs has an entry.
type Event struct {
	ID  uint32
	Msg string // the record's message
	// By, when not "", is the record's "by" attribute too: the stop step
	// that ended the child gets an ID of its own.
	By string
	// Prefix matches records whose message starts with Msg (a message
	// built around a word).
	Prefix bool
	// Quiet keeps the record out of the Event Log at Info level: it
	// repeats per line, per wait or per check. The wrapper's log has it.
	Quiet bool
}

// eventIDs are the wrapper's events by ID: 1-3 for records without an
// entry (by level), 100s the service, 200s the wrapper, 300s the child's
// life, 400s stopping it, 500s hooks, 600s output and log files. IDs never
// change meaning; a new event gets a new ID.
var eventIDs = []Event{
	{ID: 100, Msg: "service running"},
	{ID: 101, Msg: "service stopped"},
	{ID: 102, Msg: "service stopping: the supervisor ended"},
	{ID: 103, Msg: "cannot start: invalid configuration"},
	{ID: 104, Msg: "cannot start: the wrapper ended before its child started"},
	{ID: 105, Msg: "the YAML's name differs from the service's name"},
	{ID: 106, Msg: "start arguments passed to the child"},
	{ID: 107, Msg: "start arguments ignored: pass_start_args is false"},
	{ID: 108, Msg: "reload on paramchange failed"},

	{ID: 200, Msg: "wrapper started"},
	{ID: 201, Msg: "wrapper exiting"},
	{ID: 202, Msg: "cannot start"},
	{ID: 203, Msg: "cannot create the log directory"},
	{ID: 204, Msg: "cannot open the logs"},
	{ID: 205, Msg: "cannot supervise"},
	{ID: 206, Msg: "cannot start the http listener"},
	{ID: 207, Msg: "no control endpoint: status falls back to the status file; restart-child, rotate and reload are unavailable"},
	{ID: 208, Msg: "log bytes dropped"},
	{ID: 209, Msg: "giving up"},
	{ID: 210, Msg: "child failed and will not be restarted"},
	{ID: 211, Msg: "supervisor failed"},
	{ID: 220, Msg: "configuration reloaded"},
	{ID: 221, Msg: "reload refused, keeping the running configuration"},
	{ID: 222, Msg: "reload failed, keeping the running configuration"},
	{ID: 223, Msg: "reload: log limits not applied"},
	{ID: 224, Msg: "configuration file changed, reloading"},
	{ID: 225, Msg: "cannot watch the configuration for changes; polling it instead"},
	{ID: 230, Msg: "child restart requested"},
	{ID: 231, Msg: "logs rotated on request"},
	{ID: 240, Msg: "http listening"},
	{ID: 241, Msg: "http listener stopped"},
	{ID: 242, Msg: "http request refused"},
	{ID: 243, Msg: "http login refused"},
	{ID: 250, Msg: "no consul registration"},
	{ID: 251, Msg: "registry.consul.token_env names a variable that is not set; registering without a token"},
	{ID: 252, Msg: "registered with consul"},
	{ID: 253, Msg: "consul registration failed; the child is not affected, retrying"},
	{ID: 254, Msg: "consul registration up to date again"},
	{ID: 255, Msg: "consul no longer knows the service (has its agent restarted?); registering again"},
	{ID: 256, Msg: "deregistered from consul"},
	{ID: 257, Msg: "consul had no registration left to remove"},
	{ID: 258, Msg: "cannot deregister from consul; its check turns critical within the TTL"},
	{ID: 260, Msg: "control endpoint accept"},
	{ID: 261, Msg: "control endpoint: a client did not finish its request; not waiting for it"},
	{ID: 262, Msg: "control request"},

	{ID: 300, Msg: "child started"},
	{ID: 301, Msg: "child exited"},
	{ID: 302, Msg: "child start failed"},
	{ID: 303, Msg: "restarting"},
	{ID: 304, Msg: "restarting now"},
	{ID: 305, Msg: "restarting the child"},
	{ID: 306, Msg: "not restarting"},
	{ID: 307, Msg: "gave up"},
	{ID: 308, Msg: "restart requested"},
	{ID: 309, Msg: "options updated"},
	{ID: 310, Msg: "waiting", Quiet: true},
	{ID: 311, Msg: "start prevented"},
	{ID: 312, Msg: "scheduled restart"},
	{ID: 313, Msg: "scheduled restart skipped"},
	{ID: 320, Msg: "health check passed"},
	{ID: 321, Msg: "health check failed in the start period", Quiet: true},
	{ID: 322, Msg: "health check failed"},
	{ID: 323, Msg: "health check failed, restarting"},
	{ID: 330, Msg: "forwarding signal"},
	{ID: 331, Msg: "signal not forwarded: no child runs"},
	{ID: 332, Msg: "forward signal"},
	{ID: 340, Msg: "heartbeat failed"},
	{ID: 341, Msg: "heartbeat ok again"},
	{ID: 342, Msg: "sending the heartbeat failure signal"},
	{ID: 343, Msg: "heartbeat failure signal sent"},
	{ID: 344, Msg: "heartbeat failure signal failed"},
	{ID: 350, Msg: "limit exceeded, restarting"},
	{ID: 351, Msg: "over the memory limit", Quiet: true},
	{ID: 352, Msg: "back under the memory limit", Quiet: true},
	{ID: 353, Msg: "over the cpu limit", Quiet: true},
	{ID: 354, Msg: "back under the cpu limit", Quiet: true},
	{ID: 355, Msg: "limit sample failed"},
	{ID: 356, Msg: "limits are not enforced: the process tree cannot be measured here"},
	{ID: 357, Msg: "affinity: CPUs left out"},

	{ID: 400, Msg: "stopping"},
	{ID: 401, Msg: "stop step skipped"},
	{ID: 402, Msg: "stop signal"},
	{ID: 403, Msg: "closing windows"},
	{ID: 404, Msg: "close windows"},
	{ID: 405, Msg: "stop timeout, killing the process tree"},
	{ID: 406, Msg: "kill process tree"},
	{ID: 407, Msg: "wait for child"},
	{ID: 408, Msg: "stop step"},
	{ID: 410, Msg: "stopped"},
	{ID: 411, Msg: "stopped", By: "ctrl-c"},
	{ID: 412, Msg: "stopped", By: "wm-close"},
	{ID: 413, Msg: "stopped", By: "kill"},
	{ID: 414, Msg: "stopped", By: "signal"},
	{ID: 415, Msg: "stopped", By: "ctrl-break"},
	{ID: 416, Msg: "stopped", By: "close-stdin"},
	{ID: 417, Msg: "stopped", By: "http"},
	{ID: 418, Msg: "stopped", By: "command"},
	{ID: 419, Msg: "stopped", By: "pre-stop"},

	{ID: 500, Msg: "running hook", Quiet: true},
	{ID: 501, Msg: "hook done", Quiet: true},
	{ID: 502, Msg: "hook failed"},
	{ID: 503, Msg: "hook output", Quiet: true},
	{ID: 504, Msg: "hook output truncated"},

	{ID: 600, Msg: "child output"},
	{ID: 601, Msg: "child output still open after exit; closing it"},
	{ID: 602, Msg: "child output still not closed; leaving its reader behind"},
	{ID: 603, Msg: "console code page not set; the child gets the system's"},
	{ID: 604, Msg: "console code page: the wrapper lost its own console"},
	{ID: 605, Msg: "console code page ignored: only Windows consoles have one"},
	{ID: 610, Msg: "log write failed; dropping output until it recovers"},
	{ID: 611, Msg: "log writing resumed"},
	{ID: 612, Msg: "log rotation failed; writing on into the current file"},
	{ID: 613, Msg: "log rotation recovered"},
	{ID: 614, Msg: "log backup compression or pruning failed; retried after the next rotation"},
	{ID: 615, Msg: "log backup compression and pruning recovered"},
	{ID: 616, Msg: "a link was found in place of the log file; it was removed, not followed, and a regular file created instead"},
	{ID: 617, Msg: "a link was found in place of a ", Prefix: true},
	{ID: 618, Msg: "log backups left uncompressed: the stop budget ran out; the next start compresses them"},
}

// lookupEvent finds the event of a record with message msg and "by"
// attribute by ("" when it has none): an entry for both first, then one
// for the message, then the longest prefix entry.
func lookupEvent(msg, by string) (Event, bool) {
	var found, prefix Event
	for _, e := range eventIDs {
		switch {
		case e.Prefix:
			if strings.HasPrefix(msg, e.Msg) && len(e.Msg) > len(prefix.Msg) {
				prefix = e
			}
		case e.Msg != msg:
		case e.By != "" && e.By == by:
			return e, true
		case e.By == "" && found.ID == 0:
			found = e
		}
	}
	switch {
	case found.ID != 0:
		return found, true
	case prefix.ID != 0:
		return prefix, true
	}
	return Event{}, false
}
