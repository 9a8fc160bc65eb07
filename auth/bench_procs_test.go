package auth_test

import "runtime"

// runtimeProcs is GOMAXPROCS, so that RunParallel runs 8 goroutines in all
// whatever the machine.
func runtimeProcs() int { return runtime.GOMAXPROCS(0) }
