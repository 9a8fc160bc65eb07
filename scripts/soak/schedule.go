package main

import (
	"flag"
	"fmt"
	"time"
)

// schedule is the run's shared timetable. Every process gets the same start
// instant and phase length, so the writer can tag each operation with the
// phase it ran in and the monitor polls only in its phases, without the
// processes talking to each other. Phase 0 is warm-up (caches, prepared
// statements, the first logins) and is left out of the comparison; after it
// odd phases run without the monitor and even phases with it, alternating so
// that a slow drift of the machine falls on both sides alike.
type schedule struct {
	start  time.Time
	phase  time.Duration
	phases int
}

func (s schedule) end() time.Time { return s.start.Add(time.Duration(s.phases) * s.phase) }

// at is the phase t falls in, -1 before the start.
func (s schedule) at(t time.Time) int {
	if t.Before(s.start) {
		return -1
	}
	return int(t.Sub(s.start) / s.phase)
}

// monitorOn reports whether the monitor polls during phase ph.
func monitorOn(ph int) bool { return ph >= 1 && ph%2 == 0 }

// scheduleFlags registers the flags every child process reads.
type scheduleFlags struct {
	startMS *int64
	phase   *time.Duration
	phases  *int
	db      *string
	journal *string
}

func addScheduleFlags(fs *flag.FlagSet) scheduleFlags {
	return scheduleFlags{
		startMS: fs.Int64("start", 0, "start instant, unix milliseconds"),
		phase:   fs.Duration("phase", 5*time.Second, "phase length"),
		phases:  fs.Int("phases", 1, "number of phases"),
		db:      fs.String("db", "", "database file"),
		journal: fs.String("journal", "", "journal file (JSON lines)"),
	}
}

func (f scheduleFlags) get() (schedule, error) {
	if *f.db == "" || *f.journal == "" || *f.startMS == 0 || *f.phase <= 0 || *f.phases < 1 {
		return schedule{}, fmt.Errorf("--db, --journal, --start, --phase and --phases are required")
	}
	return schedule{start: time.UnixMilli(*f.startMS), phase: *f.phase, phases: *f.phases}, nil
}

// sleepUntil waits for t or the context, whichever comes first.
func sleepUntil(done <-chan struct{}, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return true
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-done:
		return false
	case <-tm.C:
		return true
	}
}
