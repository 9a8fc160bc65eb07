package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/pflag"

	"mudtop/auth"
)

// maxKeyFile bounds what `keys add` reads: a public key line is under 1 KB
// (RSA 16384 is about 2.8 KB); anything bigger is not one.
const maxKeyFile = 16 << 10

// cmdKeys manages the SSH keys that log in to `mudtop serve`.
func cmdKeys() *command {
	return &command{
		name:     "keys",
		synopsis: "the SSH keys that log in to 'mudtop serve' as a MUD account",
		usage:    "keys add USER FILE|-\nkeys list [--user USER]\nkeys remove FINGERPRINT",
		about: `Manages the public keys with which an account logs in to 'mudtop serve'
(table mudtop_ssh_keys, beside the server's own tables). Your own account's
keys need only your session (--session or $MUDTOP_SESSION); another
account's need manage_users and a role strictly above theirs. Listing
another account's keys, or all, needs view_logs. Every change is written
to the audit log. A key of a deactivated or tombstoned account is refused
when it tries to log in.`,
		subs: []*command{cmdKeysAdd(), cmdKeysList(), cmdKeysRemove()},
	}
}

func cmdKeysAdd() *command {
	return &command{
		name:     "add",
		synopsis: "register a public key for USER (from FILE, or - for stdin)",
		usage:    "add USER FILE|-",
		about: `Registers one OpenSSH public key line (the contents of ~/.ssh/id_ed25519.pub,
say) for USER. FILE - reads it from standard input, which is how it is
given over SSH: ssh -p 2222 alice@host keys add alice - < key.pub`,
		flags: noFlags(func(ctx context.Context, g *Globals, pos []string) error {
			if err := wantArgs(pos, 2, 2, "USER and FILE (or - for standard input)"); err != nil {
				return err
			}
			line, err := readKeyFile(g, pos[1])
			if err != nil {
				return err
			}
			key, err := auth.ParseKey(line)
			if err != nil {
				return usagef("%s: %v", pos[1], err)
			}
			token, err := needSession(g)
			if err != nil {
				return err
			}
			return withService(ctx, g, func(s *service) error {
				if _, err := s.AddSSHKey(ctx, token, pos[0], key); err != nil {
					return keyError(err, pos[0])
				}
				if g.JSON {
					return writeJSON(g.Stdout, keyJSON{User: pos[0], Fingerprint: key.Fingerprint, Comment: key.Comment})
				}
				_, err := fmt.Fprintf(g.Stdout, "Added %s for %s.\n", key.Fingerprint, sanitize(pos[0]))
				return err
			})
		}),
	}
}

func cmdKeysList() *command {
	return &command{
		name:     "list",
		synopsis: "list registered keys (yours, one account's, or all)",
		usage:    "list [--user USER]",
		about:    `Lists registered keys with their account, fingerprint, comment and when and by whom they were added.`,
		flags: func(fs *pflag.FlagSet) runFunc {
			user := fs.String("user", "", "only the keys of `USER`")
			return func(ctx context.Context, g *Globals, pos []string) error {
				if err := wantArgs(pos, 0, 0, ""); err != nil {
					return err
				}
				token, err := needSession(g)
				if err != nil {
					return err
				}
				return withService(ctx, g, func(s *service) error {
					keys, err := s.ListSSHKeys(ctx, token, *user)
					if err != nil {
						return keyError(err, *user)
					}
					return writeKeys(g, keys)
				})
			}
		},
	}
}

func cmdKeysRemove() *command {
	return &command{
		name:     "remove",
		synopsis: "remove a key by its SHA256 fingerprint",
		usage:    "remove FINGERPRINT",
		about:    `Removes the key with this fingerprint (as 'mudtop keys list' and ssh-keygen -l print it).`,
		flags: noFlags(func(ctx context.Context, g *Globals, pos []string) error {
			if err := wantArgs(pos, 1, 1, "FINGERPRINT"); err != nil {
				return err
			}
			token, err := needSession(g)
			if err != nil {
				return err
			}
			return withService(ctx, g, func(s *service) error {
				res, err := s.RemoveSSHKey(ctx, token, pos[0])
				if errors.Is(err, auth.ErrNotFound) {
					return fmt.Errorf("no key %s is registered", sanitize(pos[0]))
				}
				if err != nil {
					return err
				}
				if g.JSON {
					return writeJSON(g.Stdout, struct {
						Removed string `json:"removed"`
					}{res.Target})
				}
				_, err = fmt.Fprintf(g.Stdout, "Removed %s.\n", sanitize(res.Target))
				return err
			})
		}),
	}
}

// readKeyFile reads a key file, or standard input for "-".
func readKeyFile(g *Globals, name string) (string, error) {
	var r io.Reader = g.Stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return "", fmt.Errorf("read key: %w", err)
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, maxKeyFile+1))
	if err != nil {
		return "", fmt.Errorf("read key: %w", err)
	}
	if len(b) > maxKeyFile {
		return "", usagef("%s: larger than %d bytes: not a public key line", name, maxKeyFile)
	}
	return string(b), nil
}

// keyError names the account an unknown-user answer is about.
func keyError(err error, user string) error {
	if errors.Is(err, auth.ErrNotFound) {
		return fmt.Errorf("no user %q", sanitize(user))
	}
	return err
}

type keyJSON struct {
	User        string `json:"user"`
	Fingerprint string `json:"fingerprint"`
	Comment     string `json:"comment"`
	AddedAt     string `json:"added_at,omitempty"`
	AddedBy     string `json:"added_by,omitempty"`
}

func writeKeys(g *Globals, keys []auth.SSHKey) error {
	if g.JSON {
		out := make([]keyJSON, 0, len(keys))
		for _, k := range keys {
			out = append(out, keyJSON{User: k.Username, Fingerprint: k.Fingerprint, Comment: k.Comment, AddedAt: k.AddedAt, AddedBy: k.AddedBy})
		}
		return writeJSON(g.Stdout, out)
	}
	if len(keys) == 0 {
		_, err := fmt.Fprintln(g.Stdout, "No keys registered.")
		return err
	}
	t := &table{headers: []string{"USER", "FINGERPRINT", "COMMENT", "ADDED", "BY"}, max: []int{20, 0, 40, 0, 20}}
	for _, k := range keys {
		t.add(k.Username, k.Fingerprint, k.Comment, k.AddedAt, k.AddedBy)
	}
	return t.write(g.Stdout)
}
