package logrotate

import "runtime"

// background runs fn on an OS thread of its own at low priority
// (lowerThreadPriority) and returns fn's error, so that compressing a
// backup takes the processor only when the child and the pumps leave it.
func background(fn func() error) error {
	done := make(chan error, 1)
	go lowThread(fn, done)
	return <-done
}

// lowThread runs fn on the goroutine's thread at low priority. The
// goroutine exits still locked to that thread, so the Go runtime ends the
// thread instead of running other goroutines (a pump) on it at that
// priority: a thread without privileges cannot raise its priority back.
// While a thread is locked, the runtime creates new threads from a
// template thread, so none inherits the priority. The main thread cannot
// end (the runtime would park it for good, and on Linux its nice value is
// what ps shows for the whole process): landed there, lowThread hands fn
// to another goroutine, which cannot land there while this one holds it.
func lowThread(fn func() error, done chan<- error) {
	runtime.LockOSThread()
	if isMainThread() {
		locked := make(chan struct{})
		go func() {
			runtime.LockOSThread()
			close(locked)
			lowThread(fn, done)
		}()
		<-locked
		runtime.UnlockOSThread()
		return
	}
	lowerThreadPriority()
	done <- fn()
}
