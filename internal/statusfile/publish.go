package statusfile

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// Publisher writes status files from its own goroutine, so the
// supervisor's loop never waits on the disk: Update keeps only the newest
// snapshot pending.
type Publisher struct {
	path    string
	fill    func(*File)
	pending chan File
	done    chan struct{}
}

// NewPublisher starts the writer goroutine for path; call Close to flush
// and stop it. fill, when not nil, completes each snapshot just before it
// is written, in the writer goroutine: what it reads may wait on a lock
// (the child's stderr tail waits for a log write) that the caller of
// Update must not wait for.
func NewPublisher(path string, fill func(*File)) *Publisher {
	p := &Publisher{path: path, fill: fill, pending: make(chan File, 1), done: make(chan struct{})}
	go p.run()
	return p
}

// Update queues f, replacing a snapshot not yet written. It never blocks.
// It must not be called after Close.
func (p *Publisher) Update(f File) {
	for {
		select {
		case p.pending <- f:
			return
		default:
			select {
			case <-p.pending: // drop the stale one
			default:
			}
		}
	}
}

// Close writes what is pending and stops the goroutine.
func (p *Publisher) Close() {
	close(p.pending)
	<-p.done
}

func (p *Publisher) run() {
	defer close(p.done)
	for f := range p.pending {
		if p.fill != nil {
			p.fill(&f)
		}
		_ = WriteJSON(p.path, f) // best effort: status must never disturb supervision
	}
}

// WriteJSON writes v to path as indented JSON, replacing the file so that
// a reader never sees half of it or a mix of two versions.
func WriteJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", path, err)
	}
	return Replace(path, append(b, '\n'))
}

// Replace replaces the file at path with data: it writes a new file under
// a random name beside path and renames it over path. The new file is
// created with O_EXCL, so nothing planted in the directory (a link to a
// file elsewhere, by an account that can write the log directory) is ever
// opened or written through; the new file takes path's place by name
// (swapIn), never through a link found there. A reader sees the old
// content or the new, whole.
func Replace(path string, data []byte) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, base+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	// CreateTemp makes the file 0600; status is for every reader. The mode
	// is set on the descriptor: the name could be swapped for a link by then.
	err = f.Chmod(0o644)
	if err == nil {
		_, err = f.Write(data)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = swapIn(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("replace %s: %w", path, err)
	}
	return nil
}
