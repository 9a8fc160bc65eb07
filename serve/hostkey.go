package serve

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	gossh "golang.org/x/crypto/ssh"
)

// DefaultHostKeyPath is where the host key lives unless --host-key says
// otherwise: $XDG_DATA_HOME/mudtop/ssh_host_ed25519_key, or
// ~/.local/share/mudtop/... (getenv reads the environment).
func DefaultHostKeyPath(getenv func(string) string) string {
	dir := getenv("XDG_DATA_HOME")
	if dir == "" {
		home := getenv("HOME")
		if home == "" {
			return "ssh_host_ed25519_key"
		}
		dir = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(dir, "mudtop", "ssh_host_ed25519_key")
}

// LoadHostKey reads the ed25519 host key at path, creating it (mode 0600,
// its directory 0700) when missing. Like OpenSSH, it refuses a key that
// group or others may read: whoever can read it can impersonate the server.
func LoadHostKey(path string) (gossh.Signer, error) {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return createHostKey(path)
	}
	if err != nil {
		return nil, fmt.Errorf("host key %s: %w", path, err)
	}
	if st.IsDir() {
		return nil, fmt.Errorf("host key %s: is a directory", path)
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("host key %s: permissions %04o are too open (group or others may read it); run chmod 600 %s", path, perm, path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("host key %s: %w", path, err)
	}
	signer, err := gossh.ParsePrivateKey(data)
	if err != nil {
		return nil, fmt.Errorf("host key %s: not an unencrypted OpenSSH private key (%v)", path, err)
	}
	return signer, nil
}

func createHostKey(path string) (gossh.Signer, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("host key directory: %w", err)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate host key: %w", err)
	}
	block, err := gossh.MarshalPrivateKey(priv, "mudtop serve host key")
	if err != nil {
		return nil, fmt.Errorf("encode host key: %w", err)
	}
	// O_EXCL: two servers starting at once must not both write a key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create host key %s: %w", path, err)
	}
	if _, err := f.Write(pem.EncodeToMemory(block)); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("write host key %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("write host key %s: %w", path, err)
	}
	return gossh.NewSignerFromKey(priv)
}
