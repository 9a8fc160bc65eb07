package storage

import (
	"context"
	"database/sql"
	"time"
)

// SSHKeysTable holds the public keys that may log in to `mudtop serve` as
// a MUD account. Like the audit table it is mudtop's own, created beside the
// original's tables and never touching them.
const SSHKeysTable = "mudtop_ssh_keys"

// sshKeysSchema cascades with the user: the original's guest sweeper
// deletes accounts outright, and their keys must not outlive them.
var sshKeysSchema = `CREATE TABLE IF NOT EXISTS ` + SSHKeysTable + ` (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    fingerprint TEXT NOT NULL UNIQUE,
    key TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    added_at TEXT NOT NULL,
    added_by TEXT NOT NULL
)`

// SSHKey is one registered public key with its account.
type SSHKey struct {
	ID          int64
	UserID      int64
	Username    string
	Fingerprint string // "SHA256:..." as OpenSSH prints it
	Key         string // the authorized_keys line (type and base64)
	Comment     string
	AddedAt     string
	AddedBy     string
}

// NewSSHKey is a key to register.
type NewSSHKey struct {
	UserID      int64
	Fingerprint string
	Key         string
	Comment     string
	AddedBy     string
	Now         time.Time
}

// HasSSHKeys reports whether the keys table exists (a read-only foreign
// database may lack it: then no key can log in).
func (s *Store) HasSSHKeys() bool { return s.hasKeys }

// AddSSHKey registers a key. A fingerprint already registered is
// ErrDuplicate, whoever holds it.
func (s *Store) AddSSHKey(ctx context.Context, q Querier, k NewSSHKey) error {
	if !s.hasKeys {
		return ErrReadOnly
	}
	_, err := q.ExecContext(ctx, `INSERT INTO `+SSHKeysTable+`
		(user_id, fingerprint, key, comment, added_at, added_by) VALUES (?, ?, ?, ?, ?, ?)`,
		k.UserID, k.Fingerprint, k.Key, k.Comment, FormatTime(k.Now), k.AddedBy)
	return wrap("add ssh key", err)
}

// RemoveSSHKey deletes a key by fingerprint and reports whether it existed.
func (s *Store) RemoveSSHKey(ctx context.Context, q Querier, fingerprint string) (bool, error) {
	if !s.hasKeys {
		return false, nil
	}
	res, err := q.ExecContext(ctx, `DELETE FROM `+SSHKeysTable+` WHERE fingerprint = ?`, fingerprint)
	if err != nil {
		return false, wrap("remove ssh key", err)
	}
	n, err := res.RowsAffected()
	return n > 0, wrap("remove ssh key", err)
}

const sshKeyColumns = `k.id, k.user_id, coalesce(u.username, ''), k.fingerprint, k.key, k.comment, k.added_at, k.added_by
	FROM ` + SSHKeysTable + ` k LEFT JOIN users u ON u.id = k.user_id`

// SSHKeyByFingerprint finds a registered key; ok is false when none is.
func (s *Store) SSHKeyByFingerprint(ctx context.Context, q Querier, fingerprint string) (k SSHKey, ok bool, err error) {
	if !s.hasKeys {
		return SSHKey{}, false, nil
	}
	err = scanSSHKey(q.QueryRowContext(ctx, `SELECT `+sshKeyColumns+` WHERE k.fingerprint = ?`, fingerprint), &k)
	if err == sql.ErrNoRows {
		return SSHKey{}, false, nil
	}
	if err != nil {
		return SSHKey{}, false, wrap("read ssh key", err)
	}
	return k, true, nil
}

// SSHKeys lists registered keys, of one user when userID > 0, ordered by
// username and then by when they were added.
func (s *Store) SSHKeys(ctx context.Context, q Querier, userID int64) ([]SSHKey, error) {
	if !s.hasKeys {
		return nil, nil
	}
	rows, err := q.QueryContext(ctx, `SELECT `+sshKeyColumns+`
		WHERE ? = 0 OR k.user_id = ? ORDER BY u.username, k.id`, userID, userID)
	if err != nil {
		return nil, wrap("list ssh keys", err)
	}
	defer rows.Close()
	var out []SSHKey
	for rows.Next() {
		var k SSHKey
		if err := scanSSHKey(rows, &k); err != nil {
			return nil, wrap("list ssh keys", err)
		}
		out = append(out, k)
	}
	return out, wrap("list ssh keys", rows.Err())
}

type scanner interface{ Scan(dest ...any) error }

func scanSSHKey(r scanner, k *SSHKey) error {
	return r.Scan(&k.ID, &k.UserID, &k.Username, &k.Fingerprint, &k.Key, &k.Comment, &k.AddedAt, &k.AddedBy)
}
