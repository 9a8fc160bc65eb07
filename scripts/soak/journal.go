package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sync"
)

// entry is one line of a journal. Which fields are set depends on Ev:
//
//	op        the writer's operations, the monitor's polls, the admin's kicks
//	vanished  the writer was told (401) that a session it held is gone
//	final     a session the writer still held when it stopped
//	gor       goroutines at start and end of the process
//	stats     the writer's pacing figures
type entry struct {
	Ev    string `json:"ev"`
	T     int64  `json:"t,omitempty"`  // unix ms when the operation started
	Ph    int    `json:"ph,omitempty"` // phase number (see schedule)
	Op    string `json:"op,omitempty"`
	Us    int64  `json:"us,omitempty"` // latency in microseconds
	Res   string `json:"res,omitempty"`
	Err   string `json:"err,omitempty"`
	Row   int64  `json:"row,omitempty"`
	SID   string `json:"sid,omitempty"` // 8-character prefix, never the whole id
	User  string `json:"user,omitempty"`
	Last  int64  `json:"last,omitempty"` // unix ms of the last successful use
	N     int    `json:"n,omitempty"`
	Start int    `json:"start,omitempty"`
	End   int    `json:"end,omitempty"`
	Miss  int64  `json:"miss,omitempty"`
}

// journal appends entries from several goroutines to one file.
type journal struct {
	mu sync.Mutex
	f  *os.File
	w  *bufio.Writer
	e  *json.Encoder
}

func openJournal(path string) (*journal, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	w := bufio.NewWriterSize(f, 1<<16)
	return &journal{f: f, w: w, e: json.NewEncoder(w)}, nil
}

func (j *journal) add(e entry) {
	j.mu.Lock()
	defer j.mu.Unlock()
	_ = j.e.Encode(e) // a full disk shows up as a short journal at the check
}

func (j *journal) close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if err := j.w.Flush(); err != nil {
		j.f.Close()
		return err
	}
	return j.f.Close()
}

// readJournal loads every entry of a journal file.
func readJournal(path string) ([]entry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []entry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for line := 1; sc.Scan(); line++ {
		var e entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		out = append(out, e)
	}
	return out, sc.Err()
}
