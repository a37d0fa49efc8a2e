// Package cputime reads the CPU time of the calling OS thread, so that a
// benchmark on a shared machine can time its own work and not the time it
// spent waiting behind other processes.
package cputime

import "time"

// Thread returns the CPU time the calling OS thread has used so far; ok is
// false where the OS does not tell. Lock the goroutine to its thread
// (runtime.LockOSThread) between two readings.
func Thread() (d time.Duration, ok bool) { return thread() }

// Process returns the CPU time all threads of this process have used so
// far (work spread over goroutines included); ok is false where the OS does
// not tell.
func Process() (d time.Duration, ok bool) { return process() }
