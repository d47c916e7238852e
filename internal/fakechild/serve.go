package fakechild

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// serve is a small HTTP server, the kind of program a user puts under the
// wrapper (see the package documentation for its arguments). It ends in
// one of two ways: a POST to /stop (after answering it), or, with eof, the
// end of its standard input, as development servers and REPL-like tools
// do.
func serve(args []string) int {
	addr, eof := "127.0.0.1:0", false
	for _, a := range args {
		switch {
		case a == "eof":
			eof = true
		case a == "ignore-term":
			// Handled on a channel nobody reads: ignored. Not signal.Ignore,
			// which on Windows leaves Ctrl-C to the default handler, which
			// ends the process.
			signal.Notify(make(chan os.Signal, 1), syscall.SIGTERM, os.Interrupt)
		case strings.Contains(a, ":"):
			addr = a
		default:
			fmt.Fprintf(os.Stderr, "fakechild: serve: unknown argument %q\n", a)
			return 2
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "fakechild: serve: %v\n", err)
		return 2
	}
	end := make(chan string, 2)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok\n") })
	mux.HandleFunc("POST /stop", func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "stopping\n")
		end <- "stopped by post"
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	if eof {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			end <- "stdin closed"
		}()
	}
	lines(os.Stdout, []string{"listening http://" + ln.Addr().String()})
	why := <-end
	// Shutdown lets the answer to the POST go out before the exit.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = srv.Shutdown(ctx)
	return lines(os.Stdout, []string{why})
}

// post POSTs to its argument, a URL, and prints the status; it exits 0 on
// a 2xx status, 1 otherwise.
func post(args []string) int {
	if len(args) != 1 {
		fmt.Fprintln(os.Stderr, "fakechild: post: want one URL")
		return 2
	}
	resp, err := http.Post(args[0], "text/plain", nil)
	if err != nil {
		fmt.Fprintf(os.Stderr, "fakechild: post: %v\n", err)
		return 1
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	lines(os.Stdout, []string{resp.Status})
	if resp.StatusCode/100 != 2 {
		return 1
	}
	return 0
}
