package storage

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Errors returned by the store. Callers test them with errors.Is; the
// underlying driver error stays wrapped beneath for logs and debugging.
var (
	// ErrNotFound is returned when a row that must exist does not.
	ErrNotFound = errors.New("not found")
	// ErrNoDatabase means the database file does not exist. The store never
	// creates a file on Open, so a typo in --db cannot silently make an empty
	// database.
	ErrNoDatabase = errors.New("database file does not exist")
	// ErrNotSQLite means the file exists but is not an SQLite database.
	ErrNotSQLite = errors.New("file is not an SQLite database")
	// ErrBusy means another connection held a lock for longer than the busy
	// timeout. Nothing was changed by the failed statement.
	ErrBusy = errors.New("database is busy")
	// ErrReadOnly means the database (or its directory) cannot be written.
	ErrReadOnly = errors.New("database is read-only")
	// ErrStaleWAL means the database file was replaced while open and a
	// WAL file of the old one still sits beside it (see fileident.go).
	ErrStaleWAL = errors.New("database file replaced under a live WAL")
	// ErrDuplicate means a row with the same unique value exists already
	// (an SSH key fingerprint registered twice).
	ErrDuplicate = errors.New("already exists")
	// ErrExists is returned by Create when the target file already holds data.
	ErrExists = errors.New("database file already exists and is not empty")
)

// SchemaError names the table (and column, when one is missing) that makes a
// database unusable as a session store.
type SchemaError struct {
	Table  string
	Column string
}

func (e *SchemaError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("database has no %q table: this is not a MUD server database (create one with `mudtop init`)", e.Table)
	}
	return fmt.Sprintf("table %q has no column %q: the database schema is older or foreign; upgrade it with the MUD server's init-db", e.Table, e.Column)
}

// wrap turns driver errors into the store's sentinel errors, keeping the
// original beneath with %w so nothing is lost. op names what was attempted.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return fmt.Errorf("%s: %w (%w)", op, ErrBusy, err)
		case sqlite3.SQLITE_READONLY:
			return fmt.Errorf("%s: %w (%w)", op, ErrReadOnly, err)
		case sqlite3.SQLITE_CONSTRAINT:
			if se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE {
				return fmt.Errorf("%s: %w (%w)", op, ErrDuplicate, err)
			}
		case sqlite3.SQLITE_NOTADB:
			return fmt.Errorf("%s: %w (%w)", op, ErrNotSQLite, err)
		case sqlite3.SQLITE_CANTOPEN:
			if strings.Contains(err.Error(), "unable to open") {
				return fmt.Errorf("%s: %w (%w)", op, ErrNoDatabase, err)
			}
		}
	}
	return fmt.Errorf("%s: %w", op, err)
}

// IsBusy reports whether err is a lock timeout.
func IsBusy(err error) bool { return errors.Is(err, ErrBusy) }
