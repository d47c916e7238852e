package fleet

import (
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/wrapper-dev/wrapper/internal/termsafe"
)

// WriteTable prints rows for people: one line per instance, then one line
// per wrapper whose /status could not be read.
func WriteTable(w io.Writer, rows []Row) error {
	if len(rows) == 0 {
		_, err := fmt.Fprintln(w, "no service registered by a wrapper")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "HOST\tSERVICE\tSTATE\tHEALTH\tRESTARTS\tUPTIME\tSOURCE")
	for _, r := range rows {
		service := r.Service
		if r.ID != r.Service {
			service += " (" + r.ID + ")"
		}
		health := r.Health
		if r.ChildHealth != "" {
			health += " (" + r.ChildHealth + ")"
		}
		// Every cell but the counts comes from the registry or another
		// host's wrapper: escape what a terminal would act on.
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", termsafe.String(r.Host), termsafe.String(service),
			termsafe.String(r.State), termsafe.String(health), r.Restarts, uptime(r.Uptime), termsafe.String(r.Source))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, r := range rows {
		if r.StatusError != "" {
			fmt.Fprintf(w, "%s %s: /status not read (%s); shown as the registry has it\n",
				termsafe.String(r.Host), termsafe.String(r.ID), termsafe.String(r.StatusError))
		}
		if r.Source == SourceRegistry && r.State == "unknown" && r.Note != "" {
			fmt.Fprintf(w, "%s %s: %s\n", termsafe.String(r.Host), termsafe.String(r.ID), termsafe.String(r.Note))
		}
	}
	return nil
}

// uptime renders seconds as 3d4h, 4h5m, 5m6s or 6s; "-" when absent.
func uptime(secs *int64) string {
	if secs == nil {
		return "-"
	}
	d := time.Duration(*secs) * time.Second
	days, h, m, s := int(d/(24*time.Hour)), int(d/time.Hour)%24, int(d/time.Minute)%60, int(d/time.Second)%60
	switch {
	case days > 0:
		return strconv.Itoa(days) + "d" + strconv.Itoa(h) + "h"
	case h > 0:
		return fmt.Sprintf("%dh%dm", h, m)
	case m > 0:
		return fmt.Sprintf("%dm%ds", m, s)
	}
	return strconv.Itoa(s) + "s"
}
