package auth

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"strings"
	"testing"

	gossh "golang.org/x/crypto/ssh"

	"mudtop/storage/storagetest"
)

// newKeyLine makes a fresh ed25519 public key line with a comment.
func newKeyLine(t *testing.T, comment string) string {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := gossh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(gossh.MarshalAuthorizedKey(sp))) + " " + comment
}

func TestParseKey(t *testing.T) {
	line := newKeyLine(t, "alice@laptop")
	k, err := ParseKey("  " + line + "\n")
	if err != nil || k.Comment != "alice@laptop" || !strings.HasPrefix(k.Fingerprint, "SHA256:") || !strings.HasPrefix(k.Line, "ssh-ed25519 ") {
		t.Fatalf("ParseKey = %+v, %v", k, err)
	}
	for in, want := range map[string]string{
		"":                                    "no public key given",
		"-----BEGIN OPENSSH PRIVATE KEY-----": "private key",
		`from="10.0.0.1" ` + line:             "options",
		"ssh-ed25519 not-base64":              "not an OpenSSH public key",
		line + "\n" + newKeyLine(t, "b"):      "more than one key",
	} {
		if _, err := ParseKey(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseKey(%.30q) = %v, want %q", in, err, want)
		}
	}
}

func TestSSHKeyRules(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, writeThrough())
	e.session(e.user("pat", "player"), "tok-player")
	e.session(e.user("ada", "admin"), "tok-admin")
	e.session(e.user("root", "superuser"), "tok-super")
	mustKey := func(c string) ParsedKey {
		k, err := ParseKey(newKeyLine(t, c))
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	patKey, adaKey := mustKey("pat"), mustKey("ada")

	// Your own account needs only your session, even as a player.
	if _, err := e.svc.AddSSHKey(ctx, "tok-player", "pat", patKey); err != nil {
		t.Fatalf("own key: %v", err)
	}
	// Another account needs manage_users and a strictly higher rank.
	_, err := e.svc.AddSSHKey(ctx, "tok-player", "ada", adaKey)
	wantErr(t, err, Forbidden(ManageUsers))
	_, err = e.svc.AddSSHKey(ctx, "tok-admin", "pat", adaKey)
	wantErr(t, err, Forbidden(ManageUsers)) // only superusers hold manage_users
	e.session(e.user("root2", "superuser"), "tok-super2")
	_, err = e.svc.AddSSHKey(ctx, "tok-super", "root2", adaKey)
	wantErr(t, err, Outranked("superuser", "superuser"))
	if _, err := e.svc.AddSSHKey(ctx, "tok-super", "ada", adaKey); err != nil {
		t.Fatalf("superuser adds admin's key: %v", err)
	}
	_, err = e.svc.AddSSHKey(ctx, "tok-super", "pat", adaKey)
	wantErr(t, err, ErrKeyExists)
	if _, err := e.svc.AddSSHKey(ctx, "tok-super", "nobody", mustKey("x")); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown user: %v", err)
	}
	_, err = e.svc.AddSSHKey(ctx, "no-such-session", "pat", mustKey("y"))
	wantErr(t, err, ErrInvalidSession)

	// The key logs in as its own account only, and not once deactivated.
	if id, err := e.svc.AuthenticateKey(ctx, "pat", patKey.Fingerprint); err != nil || id.Username != "pat" {
		t.Fatalf("pat's key: %+v %v", id, err)
	}
	_, err = e.svc.AuthenticateKey(ctx, "ada", patKey.Fingerprint)
	wantErr(t, err, ErrBadCredentials)
	_, err = e.svc.AuthenticateKey(ctx, "pat", "SHA256:unknown")
	wantErr(t, err, ErrBadCredentials)
	storagetest.Exec(t, e.db, `UPDATE users SET is_active = 0 WHERE username = 'pat'`)
	_, err = e.svc.AuthenticateKey(ctx, "pat", patKey.Fingerprint)
	wantErr(t, err, ErrDeactivated)
	storagetest.Exec(t, e.db, `UPDATE users SET is_active = 1 WHERE username = 'pat'`)

	// Listing: your own with a session, anyone's with view_logs.
	if ks, err := e.svc.ListSSHKeys(ctx, "tok-player", "pat"); err != nil || len(ks) != 1 {
		t.Fatalf("own list: %v %v", ks, err)
	}
	_, err = e.svc.ListSSHKeys(ctx, "tok-player", "")
	wantErr(t, err, Forbidden(ViewLogs))
	if ks, err := e.svc.ListSSHKeys(ctx, "tok-admin", ""); err != nil || len(ks) != 2 {
		t.Fatalf("admin lists all: %v %v", ks, err)
	}

	// Removing follows the adding rule.
	_, err = e.svc.RemoveSSHKey(ctx, "tok-player", adaKey.Fingerprint)
	wantErr(t, err, Forbidden(ManageUsers))
	if _, err := e.svc.RemoveSSHKey(ctx, "tok-player", patKey.Fingerprint); err != nil {
		t.Fatalf("remove own: %v", err)
	}
	if _, err := e.svc.RemoveSSHKey(ctx, "tok-player", patKey.Fingerprint); !errors.Is(err, ErrNotFound) {
		t.Fatalf("remove twice: %v", err)
	}

	// Every change and every refusal after the actor is known is audited.
	rows, err := e.st.RecentAudit(ctx, e.st.Q(), 50)
	if err != nil {
		t.Fatal(err)
	}
	var adds, refusals, removes int
	for _, r := range rows {
		switch {
		case strings.HasPrefix(r.Result, "refused"):
			refusals++
		case r.Action == ActionAddKey:
			adds++
		case r.Action == ActionRemoveKey:
			removes++
		}
	}
	if adds != 2 || removes != 1 || refusals != 4 {
		t.Fatalf("audit: %d adds, %d removes, %d refusals\n%+v", adds, removes, refusals, rows)
	}
}

// Password checks over SSH count failures per address too, shared by every
// connection: one address trying many usernames is slowed down, another
// address is not.
func TestAuthenticateThrottlesPerAddress(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, writeThrough())
	e.user("ada", "admin")
	for _, name := range []string{"u1", "u2", "u3"} {
		_, err := e.svc.Authenticate(ctx, name, "wrong", "203.0.113.9")
		wantErr(t, err, ErrBadCredentials)
	}
	_, err := e.svc.Authenticate(ctx, "ada", storagetest.Password, "203.0.113.9")
	if Status(err) != 429 {
		t.Fatalf("fourth try from the same address: %v, want 429", err)
	}
	if id, err := e.svc.Authenticate(ctx, "ada", storagetest.Password, "198.51.100.7"); err != nil || id.Username != "ada" {
		t.Fatalf("another address: %+v %v", id, err)
	}
}

// The session of an SSH connection leaves the account's game sessions
// alone, whatever allow_multiple_sessions says, and its actions are
// audited with where they came from.
func TestOpenSessionKeepsOthersAndAuditsOrigin(t *testing.T) {
	ctx := context.Background()
	cfg := writeThrough()
	cfg.AllowMultipleSessions = false
	e := newEnv(t, cfg)
	uid := e.user("ada", "admin")
	e.session(uid, "tok-game")
	victim := e.user("pat", "player")
	e.session(victim, "tok-pat")
	res, err := e.svc.OpenSession(ctx, Identity{UserID: uid, Username: "ada", Role: "admin"}, "ssh")
	if err != nil {
		t.Fatal(err)
	}
	if !e.has("tok-game") || !e.has(res.SessionID) || res.Replaced != 0 {
		t.Fatalf("game session removed: %s", e.dump())
	}
	if got := e.text(res.SessionID, "client_type"); got != "ssh" {
		t.Fatalf("client_type %q", got)
	}
	e.svc.SetOrigin(res.SessionID, "ssh 127.0.0.1:40000 publickey SHA256:abc")
	if _, err := e.svc.KickUser(ctx, res.SessionID, "pat", "afk"); err != nil {
		t.Fatal(err)
	}
	rows, _ := e.st.RecentAudit(ctx, e.st.Q(), 1)
	if len(rows) != 1 || rows[0].Origin != "ssh 127.0.0.1:40000 publickey SHA256:abc" {
		t.Fatalf("audit origin: %+v", rows)
	}
	// A deactivated account gets no new session.
	storagetest.Exec(t, e.db, `UPDATE users SET is_active = 0 WHERE id = ?`, uid)
	_, err = e.svc.OpenSession(ctx, Identity{UserID: uid, Username: "ada", Role: "admin"}, "ssh")
	wantErr(t, err, ErrDeactivated)
}
