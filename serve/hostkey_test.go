package serve

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHostKeyCreatedPrivateAndReused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "ssh_host_ed25519_key")
	first, err := LoadHostKey(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("created with %v, %v; want 0600", st.Mode(), err)
	}
	again, err := LoadHostKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(first.PublicKey().Marshal()) != string(again.PublicKey().Marshal()) {
		t.Fatal("a second start made a new host key")
	}
}

// As OpenSSH does: a host key others may read is refused, not used.
func TestHostKeyReadableByOthersRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "key")
	if _, err := LoadHostKey(path); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadHostKey(path)
	if err == nil || !strings.Contains(err.Error(), "0644 are too open") || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("0644 key: %v", err)
	}
	os.Remove(path)
	if err := os.WriteFile(path, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadHostKey(path); err == nil || !strings.Contains(err.Error(), "not an unencrypted OpenSSH private key") {
		t.Fatalf("garbage key: %v", err)
	}
}

func TestDefaultHostKeyPath(t *testing.T) {
	env := map[string]string{"HOME": "/home/a"}
	get := func(k string) string { return env[k] }
	if got := DefaultHostKeyPath(get); got != "/home/a/.local/share/mudtop/ssh_host_ed25519_key" {
		t.Fatal(got)
	}
	env["XDG_DATA_HOME"] = "/data"
	if got := DefaultHostKeyPath(get); got != "/data/mudtop/ssh_host_ed25519_key" {
		t.Fatal(got)
	}
}

func TestAllowedEnv(t *testing.T) {
	got := allowedEnv([]string{"TERM=xterm", "LD_PRELOAD=/x.so", "NO_COLOR=1", "LC_ALL=C", "PATH=/tmp", "COLORTERM=truecolor", "LANG=en"})
	if strings.Join(got, " ") != "TERM=xterm NO_COLOR=1 LC_ALL=C COLORTERM=truecolor LANG=en" {
		t.Fatal(got)
	}
}
