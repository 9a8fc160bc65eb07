package storage_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"mudtop/storage"
)

// SQLite keeps answering from an unlinked inode through connections that
// are already open. Before the store checked its file's identity, a monitor
// whose database was deleted or replaced went on showing the old sessions
// as fresh, forever. These tests hold the store to: an error while the file
// is gone or empty, the file never re-created, and recovery when it is back.

func TestFaultFileDeletedThenRestored(t *testing.T) {
	for _, mode := range journalModes {
		t.Run(mode, func(t *testing.T) {
			ctx := context.Background()
			path := makeDB(t, filepath.Join(t.TempDir(), "mud.db"), mode)
			st, err := storage.Open(ctx, path, storage.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			seed(t, st, "del", 2)
			if n, err := countSessions(st); err != nil || n != 2 {
				t.Fatalf("before: %d, %v", n, err)
			}
			backup := snapshotFile(t, st, path)

			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 3; i++ { // every poll fails, not only the first
				if n, err := countSessions(st); !errors.Is(err, storage.ErrNoDatabase) {
					t.Fatalf("read %d after delete: n=%d err=%v; want ErrNoDatabase", i, n, err)
				}
			}
			err = st.Write(ctx, func(q storage.Querier) error {
				_, err := st.DeleteSession(ctx, q, "anything")
				return err
			})
			if !errors.Is(err, storage.ErrNoDatabase) {
				t.Fatalf("write after delete: %v; want ErrNoDatabase", err)
			}
			// Single statements on the pool must fail too, not read the old inode.
			if n, err := st.CountUsers(ctx, st.Q()); err == nil {
				t.Fatalf("CountUsers on a deleted file = %d, nil error", n)
			}
			if _, err := os.Stat(path); !os.IsNotExist(err) {
				t.Fatalf("the store re-created the deleted file: %v", err)
			}

			putBack(t, path, backup)
			if n, err := countSessions(st); err != nil || n != 2 {
				t.Fatalf("after restore: %d, %v; want 2", n, err)
			}
			if n, err := st.CountUsers(ctx, st.Q()); err != nil || n != 2 {
				t.Fatalf("CountUsers after restore: %d, %v", n, err)
			}
		})
	}
}

func TestFaultFileReplaced(t *testing.T) {
	for _, mode := range journalModes {
		t.Run(mode, func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			path := makeDB(t, filepath.Join(dir, "mud.db"), mode)
			st, err := storage.Open(ctx, path, storage.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			seed(t, st, "old", 2)

			// Another database, with other sessions, is moved into place.
			other := makeDB(t, filepath.Join(dir, "other.db"), "rollback")
			ost, err := storage.Open(ctx, other, storage.Options{})
			if err != nil {
				t.Fatal(err)
			}
			newTokens := seed(t, ost, "new", 5)
			ost.Close()
			if err := os.Rename(other, path); err != nil {
				t.Fatal(err)
			}

			if mode == "wal" {
				// The old file's -wal is still beside the path, and SQLite
				// would read its frames into the new file: refuse until the
				// operator removes it.
				if n, err := countSessions(st); !errors.Is(err, storage.ErrStaleWAL) {
					t.Fatalf("replaced under a live WAL: n=%d err=%v; want ErrStaleWAL", n, err)
				}
				os.Remove(path + "-wal")
				os.Remove(path + "-shm")
			}
			if n, err := countSessions(st); err != nil || n != 5 {
				t.Fatalf("after replace: %d, %v; want the new file's 5", n, err)
			}
			// Writes land in the new file, as a fresh connection sees.
			err = st.Write(ctx, func(q storage.Querier) error {
				_, err := st.DeleteSession(ctx, q, newTokens[0])
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			var n int
			if err := rawDB(t, path).QueryRow(`SELECT count(*) FROM sessions`).Scan(&n); err != nil || n != 4 {
				t.Fatalf("new file after a write through the store: %d, %v; want 4", n, err)
			}
		})
	}
}

func TestFaultFileTruncatedThenRestored(t *testing.T) {
	for _, mode := range journalModes {
		t.Run(mode, func(t *testing.T) {
			ctx := context.Background()
			path := makeDB(t, filepath.Join(t.TempDir(), "mud.db"), mode)
			st, err := storage.Open(ctx, path, storage.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			seed(t, st, "tr", 3)
			backup := snapshotFile(t, st, path)

			if err := os.Truncate(path, 0); err != nil {
				t.Fatal(err)
			}
			var se *storage.SchemaError
			if n, err := countSessions(st); !errors.As(err, &se) {
				t.Fatalf("read after truncate: n=%d err=%v; want a SchemaError", n, err)
			}
			// Restored in place (same inode), as `cp backup mud.db` does.
			if err := os.WriteFile(path, backup, 0o600); err != nil {
				t.Fatal(err)
			}
			if n, err := countSessions(st); err != nil || n != 3 {
				t.Fatalf("after restore: %d, %v; want 3", n, err)
			}
		})
	}
}

// A file cut shorter in place, by something other than SQLite, under a store
// whose validation lookups map the file: the next lookups must report the
// damage, never read past the new end (which kills the process with
// SIGBUS), never answer with a wrong row, and work again once the file is
// restored in place.
func TestFaultFileShrunkUnderMappedLookups(t *testing.T) {
	for _, mode := range journalModes {
		t.Run(mode, func(t *testing.T) {
			ctx := context.Background()
			path := makeDB(t, filepath.Join(t.TempDir(), "mud.db"), mode)
			st, err := storage.Open(ctx, path, storage.Options{}) // mapping on, the default
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			tokens := seed(t, st, "sh", 1500)
			lookupAll := func() (failed int) {
				t.Helper()
				for _, tok := range tokens {
					a, ok, err := st.SessionAuth(ctx, st.Q(), tok)
					switch {
					case err != nil:
						failed++
					case !ok || a.SessionID != tok:
						t.Fatalf("lookup of %s answered %+v, ok=%v", tok, a, ok)
					}
				}
				return failed
			}
			// Everything in the main file first (a WAL checkpoint), then a
			// lookup of every row, so the mapped connections have mapped
			// all of it.
			backup := snapshotFile(t, st, path)
			if n := lookupAll(); n != 0 {
				t.Fatalf("%d lookups failed before the file was touched", n)
			}
			if err := os.Truncate(path, int64(len(backup)/3)); err != nil {
				t.Fatal(err)
			}
			if n := lookupAll(); n == 0 {
				t.Error("no lookup noticed a file cut to a third")
			}
			if err := os.WriteFile(path, backup, 0o600); err != nil {
				t.Fatal(err)
			}
			if n := lookupAll(); n != 0 {
				t.Errorf("%d lookups failed after the file was restored", n)
			}
		})
	}
}
