//go:build unix

package bench

import (
	"os"
	"syscall"
	"time"
)

// processCPU is the user and system time of a process that has exited,
// including the children it waited for.
func processCPU(state *os.ProcessState) time.Duration {
	if state == nil {
		return 0
	}
	return state.UserTime() + state.SystemTime()
}

// selfCPU is this process's user and system time so far.
func selfCPU() time.Duration {
	var usage syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &usage); err != nil {
		return 0
	}
	return time.Duration(usage.Utime.Nano() + usage.Stime.Nano())
}
