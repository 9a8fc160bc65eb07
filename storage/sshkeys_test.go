package storage_test

import (
	"context"
	"errors"
	"testing"

	"mudtop/storage"
	"mudtop/storage/storagetest"
)

func TestSSHKeys(t *testing.T) {
	ctx := context.Background()
	st := storagetest.New(t)
	alice := storagetest.AddUser(t, st.DB(), storagetest.User{Name: "alice", Role: "admin"})
	bob := storagetest.AddUser(t, st.DB(), storagetest.User{Name: "bob", Role: "player"})
	add := func(user int64, fp string) error {
		return st.Write(ctx, func(q storage.Querier) error {
			return st.AddSSHKey(ctx, q, storage.NewSSHKey{UserID: user, Fingerprint: fp, Key: "ssh-ed25519 AAAA" + fp,
				Comment: "laptop", AddedBy: "alice", Now: storagetest.Epoch()})
		})
	}
	if err := add(alice, "SHA256:a"); err != nil {
		t.Fatal(err)
	}
	if err := add(bob, "SHA256:b"); err != nil {
		t.Fatal(err)
	}
	// One key, one account: the fingerprint is what a login is matched by.
	if err := add(bob, "SHA256:a"); !errors.Is(err, storage.ErrDuplicate) {
		t.Fatalf("same fingerprint twice: %v, want ErrDuplicate", err)
	}
	k, ok, err := st.SSHKeyByFingerprint(ctx, st.Q(), "SHA256:a")
	if err != nil || !ok || k.Username != "alice" || k.UserID != alice || k.Comment != "laptop" || k.AddedAt != "2026-11-25 18:28:40" {
		t.Fatalf("lookup: %+v %v %v", k, ok, err)
	}
	if _, ok, err := st.SSHKeyByFingerprint(ctx, st.Q(), "SHA256:nope"); ok || err != nil {
		t.Fatalf("unknown fingerprint: %v %v", ok, err)
	}
	all, err := st.SSHKeys(ctx, st.Q(), 0)
	if err != nil || len(all) != 2 || all[0].Username != "alice" || all[1].Username != "bob" {
		t.Fatalf("list all: %+v %v", all, err)
	}
	mine, err := st.SSHKeys(ctx, st.Q(), bob)
	if err != nil || len(mine) != 1 || mine[0].Fingerprint != "SHA256:b" {
		t.Fatalf("list bob: %+v %v", mine, err)
	}
	var removed bool
	if err := st.Write(ctx, func(q storage.Querier) (err error) {
		removed, err = st.RemoveSSHKey(ctx, q, "SHA256:b")
		return err
	}); err != nil || !removed {
		t.Fatalf("remove: %v %v", removed, err)
	}
	if err := st.Write(ctx, func(q storage.Querier) (err error) {
		removed, err = st.RemoveSSHKey(ctx, q, "SHA256:b")
		return err
	}); err != nil || removed {
		t.Fatalf("remove twice: %v %v", removed, err)
	}
	// The original's guest sweeper deletes accounts outright; their keys go
	// with them.
	storagetest.Exec(t, st.DB(), `DELETE FROM users WHERE id = ?`, alice)
	if _, ok, _ := st.SSHKeyByFingerprint(ctx, st.Q(), "SHA256:a"); ok {
		t.Fatal("a deleted account's key still logs in")
	}
}

// An audit table written by an earlier mudtop lacks the origin column: Open
// adds it (the table is mudtop's own), keeps the old rows, and new rows
// carry their origin.
func TestOpenAddsAuditOrigin(t *testing.T) {
	ctx := context.Background()
	path := storagetest.NewOriginal(t)
	raw := storagetest.Raw(t, path, true)
	storagetest.Exec(t, raw, `CREATE TABLE mudtop_audit (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL,
		actor TEXT NOT NULL, actor_role TEXT NOT NULL DEFAULT '', action TEXT NOT NULL, target TEXT NOT NULL DEFAULT '',
		result TEXT NOT NULL, removed INTEGER NOT NULL DEFAULT 0, reason TEXT NOT NULL DEFAULT '')`)
	storagetest.Exec(t, raw, `INSERT INTO mudtop_audit (at, actor, action, result) VALUES ('2026-11-01 00:00:00', 'old', 'kick', 'ok')`)
	raw.Close()

	// Read-only first: nothing is changed, and the old rows still read.
	ro := storagetest.Open(t, path, storage.Options{ReadOnly: true})
	rows, err := ro.RecentAudit(ctx, ro.Q(), 10)
	if err != nil || len(rows) != 1 || rows[0].Actor != "old" || rows[0].Origin != "" {
		t.Fatalf("read-only audit: %+v %v", rows, err)
	}
	if ro.HasSSHKeys() {
		t.Fatal("a read-only open created the keys table")
	}
	ro.Close()

	st := storagetest.Open(t, path, storage.Options{})
	if err := st.Write(ctx, func(q storage.Querier) error {
		return st.WriteAudit(ctx, q, storagetest.Epoch(), storage.AuditEntry{Actor: "alice", Action: "kick", Result: "ok",
			Origin: "ssh 127.0.0.1:5000 publickey SHA256:x"})
	}); err != nil {
		t.Fatal(err)
	}
	rows, err = st.RecentAudit(ctx, st.Q(), 10)
	if err != nil || len(rows) != 2 || rows[0].Origin != "ssh 127.0.0.1:5000 publickey SHA256:x" || rows[1].Actor != "old" {
		t.Fatalf("audit after upgrade: %+v %v", rows, err)
	}
	if !st.HasSSHKeys() {
		t.Fatal("a writable open did not create the keys table")
	}
}
