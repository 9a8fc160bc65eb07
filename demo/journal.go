package demo

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"mudtop/auth"
)

// journalEntry is one line of the file `mudtop demo --journal FILE` writes:
// what the simulated server did and what the session API told it, so a
// soak test can account for every session afterwards. The file is JSON
// Lines (one object per line, appended; an existing file is extended), it
// is flushed every status interval and on exit.
//
//	time        when the operation started: RFC 3339 UTC with microseconds,
//	            from the service's clock
//	op          login, login_bad (a deliberate wrong password), select,
//	            validate, validate_game, validate_perm, logout, abandon (the
//	            client vanished without logging out: no API call, the row is
//	            left to go idle and expire) or plant (a scenery session
//	            written straight to the store with old timestamps; it
//	            replaces that scenery user's earlier sessions, except the
//	            second of the two-sessions anomaly)
//	user        the account's username
//	row         sessions.id of the session operated on (0 if unknown)
//	sid         the first 8 characters of its session id (auth.ShortID); the
//	            full id, a bearer credential, is never written
//	client      client type of a login or plant
//	character   character name of a select, validate_game or plant
//	world       world id of the same
//	permission  the permission a validate_perm checked
//	replaced    login: how many earlier sessions of the user the server
//	            removed (the single-session rule)
//	replaced_row login: row of the session the simulator held for that user
//	            and now knows is gone (removed by this login, or earlier by
//	            someone else when replaced is 0)
//	note        plant: which state the planted row shows
//	result      "ok" or "error"
//	status      200 for ok; for an error auth.Status (401, 403, 404, 409,
//	            429) or 0 for a failure that is not a refusal (database)
//	busy        true when the error was a lock held past the busy timeout
//	gone        true when a 401 showed that someone else removed the
//	            session (kicked, cleared or expired): accounted, not a fault
//	error       the error text (never containing a full session id)
//	latency_us  wall-clock duration of the API call in microseconds
type journalEntry struct {
	Time        string `json:"time"`
	Op          string `json:"op"`
	User        string `json:"user"`
	Row         int64  `json:"row,omitempty"`
	SID         string `json:"sid,omitempty"`
	Client      string `json:"client,omitempty"`
	Character   string `json:"character,omitempty"`
	World       string `json:"world,omitempty"`
	Permission  string `json:"permission,omitempty"`
	Replaced    int    `json:"replaced,omitempty"`
	ReplacedRow int64  `json:"replaced_row,omitempty"`
	Note        string `json:"note,omitempty"`
	Result      string `json:"result"`
	Status      int    `json:"status"`
	Busy        bool   `json:"busy,omitempty"`
	Gone        bool   `json:"gone,omitempty"`
	Error       string `json:"error,omitempty"`
	LatencyUS   int64  `json:"latency_us"`
}

// setResult fills the outcome fields from err. token is the session the
// operation used: should a message ever quote it, it is cut to its prefix.
func (e *journalEntry) setResult(err error, token string, latency time.Duration) {
	e.LatencyUS = latency.Microseconds()
	if err == nil {
		e.Result, e.Status = "ok", 200
		return
	}
	e.Result, e.Status = "error", auth.Status(err)
	e.Busy = errors.Is(err, auth.ErrBusy)
	e.Error = err.Error()
	if token != "" {
		e.Error = strings.ReplaceAll(e.Error, token, auth.ShortID(token)+"…")
	}
}

// journal appends entries to a file. Safe for concurrent use by the
// simulator's shards.
type journal struct {
	mu  sync.Mutex
	w   *bufio.Writer
	c   io.Closer
	err error // first write error; later writes are dropped
}

// openJournal opens (appending to) or creates path.
func openJournal(path string) (*journal, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open journal: %w", err)
	}
	return newJournal(f, f), nil
}

func newJournal(w io.Writer, c io.Closer) *journal {
	return &journal{w: bufio.NewWriterSize(w, 64<<10), c: c}
}

// write appends one entry. A nil journal writes nothing, so the simulator
// need not ask whether journaling is on.
func (j *journal) write(e *journalEntry) {
	if j == nil {
		return
	}
	b, err := json.Marshal(e)
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.err != nil {
		return
	}
	if err == nil {
		b = append(b, '\n')
		_, err = j.w.Write(b)
	}
	j.err = err
}

// flush writes buffered lines to the file.
func (j *journal) flush() error {
	if j == nil {
		return nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.err != nil {
		return j.err
	}
	j.err = j.w.Flush()
	return j.err
}

// close flushes and closes the file, reporting the first error met.
func (j *journal) close() error {
	if j == nil {
		return nil
	}
	err := j.flush()
	if j.c != nil {
		if cerr := j.c.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	return nil
}

// journalTime is the entry's time format: fixed width, so lines sort.
func journalTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }
