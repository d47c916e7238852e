package logrotate

import (
	"runtime"
	"sync"
)

// background runs fn on an OS thread of its own at low priority
// (lowerThreadPriority) and returns fn's error, so that compressing a
// backup takes the processor only when the child and the pumps leave it.
// The thread is held in l while fn runs, so that l.hurry can raise it.
func background(fn func() error, l *lowered) error {
	done := make(chan error, 1)
	go lowThread(fn, l, done)
	return <-done
}

// lowThread runs fn on the goroutine's thread at low priority. The
// goroutine exits still locked to that thread, so the Go runtime ends the
// thread instead of running other goroutines (a pump) on it at that
// priority: a thread without privileges cannot raise its priority back.
// While a thread is locked, the runtime creates new threads from a
// template thread, so none inherits the priority. The main thread cannot
// end (the runtime would park it for good, and on Linux its priority is
// what ps shows for the whole process): landed there, lowThread hands fn
// to another goroutine, which cannot land there while this one holds it.
func lowThread(fn func() error, l *lowered, done chan<- error) {
	runtime.LockOSThread()
	if isMainThread() {
		locked := make(chan struct{})
		go func() {
			runtime.LockOSThread()
			close(locked)
			lowThread(fn, l, done)
		}()
		<-locked
		runtime.UnlockOSThread()
		return
	}
	lowerThreadPriority()
	l.hold()
	err := fn()
	l.release()
	done <- err
}

// lowered holds the thread that background lowered while its work runs,
// so that finish can raise it from outside: on a busy host a thread at
// idle priority may not run again soon enough to raise itself.
type lowered struct {
	mu      sync.Mutex
	thread  threadRef
	held    bool // thread is set
	hurried bool // hurry was called: a thread held from now on is raised at once
}

// hold sets the calling thread as the lowered one, raised at once if
// hurry came first.
func (l *lowered) hold() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.thread, l.held = currentThread()
	if l.held && l.hurried {
		raiseThread(l.thread)
	}
}

// release forgets the thread, before it ends: a thread id could be
// reused, by another process too.
func (l *lowered) release() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.held {
		releaseThread(l.thread)
	}
	l.held = false
}

// hurry gives the held thread, and any held later, the normal priority
// back where the system allows it.
func (l *lowered) hurry() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.hurried = true
	if l.held {
		raiseThread(l.thread)
	}
}
