package cli

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	gossh "golang.org/x/crypto/ssh"
)

func testKeyLine(t *testing.T, comment string) (line, fingerprint string) {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := gossh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(gossh.MarshalAuthorizedKey(sp))) + " " + comment + "\n", gossh.FingerprintSHA256(sp)
}

func TestKeysCommands(t *testing.T) {
	f := newFixture(t)
	f.staff()
	line, fp := testKeyLine(t, "alice@laptop")

	// A player adds a key to their own account, from standard input.
	f.stdin = line
	r := f.as(tokPlayer, "keys", "add", "alice", "-")
	r.want(t, exitOK, "")
	if !strings.Contains(r.stdout, fp) {
		t.Fatalf("add printed %q", r.stdout)
	}
	// The same key again, or for another account without manage_users.
	f.stdin = line
	f.as(tokSuper, "keys", "add", "bob", "-").want(t, exitConflict, "already registered")
	other, _ := testKeyLine(t, "x")
	file := filepath.Join(t.TempDir(), "k.pub")
	if err := os.WriteFile(file, []byte(other), 0o600); err != nil {
		t.Fatal(err)
	}
	f.as(tokPlayer, "keys", "add", "bob", file).want(t, exitForbidden, "Insufficient permissions. Required: manage_users")
	f.as(tokAdmin, "keys", "add", "nobody", file).want(t, exitFailure, `no user "nobody"`)
	f.stdin = "-----BEGIN OPENSSH PRIVATE KEY-----\n"
	f.as(tokPlayer, "keys", "add", "alice", "-").want(t, exitUsage, "private key")

	// Listing all needs view_logs; your own does not.
	f.as(tokPlayer, "keys", "list").want(t, exitForbidden, "Required: view_logs")
	r = f.as(tokPlayer, "keys", "list", "--user", "alice", "--json")
	r.want(t, exitOK, "")
	var keys []keyJSON
	if err := json.Unmarshal([]byte(r.stdout), &keys); err != nil || len(keys) != 1 || keys[0].Fingerprint != fp || keys[0].Comment != "alice@laptop" {
		t.Fatalf("list --json: %v %s", err, r.stdout)
	}
	r = f.as(tokAdmin, "keys", "list")
	r.want(t, exitOK, "")
	if !strings.Contains(r.stdout, "alice") || !strings.Contains(r.stdout, fp) {
		t.Fatalf("list: %s", r.stdout)
	}

	f.as(tokBuild, "keys", "remove", fp).want(t, exitForbidden, "manage_users")
	f.as(tokPlayer, "keys", "remove", fp).want(t, exitOK, "")
	f.as(tokPlayer, "keys", "remove", fp).want(t, exitFailure, "no key")
	f.as(tokPlayer, "keys", "frob").want(t, exitUsage, `unknown command "frob"`)
}
