package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"

	gossh "golang.org/x/crypto/ssh"

	"mudtop/storage"
)

// Actions of the SSH key commands, as the audit log names them.
const (
	ActionAddKey    = "add_ssh_key"
	ActionRemoveKey = "remove_ssh_key"
)

// SSHKey is a registered key as the key commands show it.
type SSHKey = storage.SSHKey

// ErrKeyExists: the key is registered already (to this or another account).
var ErrKeyExists = &Error{409, "This key is already registered"}

// ParsedKey is one OpenSSH public key line, checked.
type ParsedKey struct {
	Fingerprint string // "SHA256:..." as ssh-keygen -l prints it
	Line        string // type and base64, without the comment
	Comment     string
}

// ParseKey reads one authorized_keys line ("ssh-ed25519 AAAA... comment").
// Options before the key type are refused: mudtop does not apply them, and
// a key that looked restricted but was not would be worse than none.
func ParseKey(line string) (ParsedKey, error) {
	line = strings.TrimSpace(line)
	if line == "" {
		return ParsedKey{}, errors.New("no public key given: want one line such as the contents of ~/.ssh/id_ed25519.pub")
	}
	if strings.Contains(line, "PRIVATE KEY") {
		return ParsedKey{}, errors.New("this is a private key: give the .pub file, and keep the private key where it is")
	}
	pub, comment, options, rest, err := gossh.ParseAuthorizedKey([]byte(line))
	if err != nil {
		return ParsedKey{}, fmt.Errorf("not an OpenSSH public key line (%v)", err)
	}
	if len(options) > 0 {
		return ParsedKey{}, errors.New("key options (from=, command=, ...) are not supported: give the bare key line")
	}
	if len(strings.TrimSpace(string(rest))) > 0 {
		return ParsedKey{}, errors.New("more than one key given: add them one at a time")
	}
	return ParsedKey{
		Fingerprint: gossh.FingerprintSHA256(pub),
		Line:        strings.TrimSpace(string(gossh.MarshalAuthorizedKey(pub))),
		Comment:     strings.TrimSpace(comment),
	}, nil
}

// AuthenticateKey is mudtop serve's public key check: the key (by its
// SHA256 fingerprint) is registered to username, and the account is active
// and not tombstoned. A key of another account, or none, is
// ErrBadCredentials: the answer never says which accounts hold keys.
func (s *Service) AuthenticateKey(ctx context.Context, username, fingerprint string) (Identity, error) {
	k, ok, err := s.store.SSHKeyByFingerprint(ctx, s.store.Q(), fingerprint)
	if err != nil {
		return Identity{}, storeErr("check ssh key", err)
	}
	if !ok || k.Username != username {
		return Identity{}, ErrBadCredentials
	}
	u, found, err := s.store.UserByName(ctx, s.store.Q(), username)
	if err != nil {
		return Identity{}, storeErr("check ssh key", err)
	}
	if !found || u.ID != k.UserID {
		return Identity{}, ErrBadCredentials
	}
	if !u.Active || u.Tombstoned {
		return Identity{}, ErrDeactivated
	}
	return Identity{UserID: u.ID, Username: u.Username, Role: u.Role}, nil
}

// keyOwnerRule is who may change the keys of target: anyone their own,
// with only a valid session; another account's needs manage_users and a
// strictly higher role.
func keyOwnerRule(actor Identity, target storage.UserLogin) error {
	if target.ID == actor.UserID {
		return nil
	}
	if !HasPermission(actor.Role, ManageUsers) {
		return Forbidden(ManageUsers)
	}
	if !CanManageRole(actor.Role, target.Role) {
		return Outranked(actor.Role, target.Role)
	}
	return nil
}

// AddSSHKey registers key for username, as the actor holding actorToken
// (see keyOwnerRule), and audits it. An unknown username is ErrNotFound.
func (s *Service) AddSSHKey(ctx context.Context, actorToken, username string, key ParsedKey) (ActionResult, error) {
	return s.guarded(ctx, actorToken, "", ActionAddKey, "", func(q storage.Querier, actor Identity) (ActionResult, error) {
		res := ActionResult{Target: username + " " + key.Fingerprint}
		u, found, err := s.store.UserByName(ctx, q, username)
		if err != nil {
			return res, err
		}
		if !found {
			return res, ErrNotFound
		}
		if err := keyOwnerRule(actor, u); err != nil {
			return res, err
		}
		err = s.store.AddSSHKey(ctx, q, storage.NewSSHKey{UserID: u.ID, Fingerprint: key.Fingerprint, Key: key.Line,
			Comment: key.Comment, AddedBy: actor.Username, Now: s.clock()})
		if errors.Is(err, storage.ErrDuplicate) {
			return res, ErrKeyExists
		}
		return res, err
	})
}

// RemoveSSHKey deletes the key with fingerprint under the same rule as
// AddSSHKey, and audits it. A fingerprint not registered is ErrNotFound.
func (s *Service) RemoveSSHKey(ctx context.Context, actorToken, fingerprint string) (ActionResult, error) {
	return s.guarded(ctx, actorToken, "", ActionRemoveKey, "", func(q storage.Querier, actor Identity) (ActionResult, error) {
		res := ActionResult{Target: fingerprint}
		k, ok, err := s.store.SSHKeyByFingerprint(ctx, q, fingerprint)
		if err != nil {
			return res, err
		}
		if !ok {
			return res, ErrNotFound
		}
		res.Target = k.Username + " " + fingerprint
		u, found, err := s.store.UserByName(ctx, q, k.Username)
		if err != nil {
			return res, err
		}
		if found {
			if err := keyOwnerRule(actor, u); err != nil {
				return res, err
			}
		}
		_, err = s.store.RemoveSSHKey(ctx, q, fingerprint)
		return res, err
	})
}

// ListSSHKeys lists the keys of username ("" for every account). Your own
// keys need only your session; anyone else's, or all, need view_logs.
// Reading is not activity.
func (s *Service) ListSSHKeys(ctx context.Context, actorToken, username string) ([]SSHKey, error) {
	var out []SSHKey
	err := s.store.Read(ctx, func(q storage.Querier) error {
		actor, _, err := s.actor(ctx, q, actorToken, "")
		if err != nil {
			return err
		}
		var userID int64
		if username != "" {
			u, found, err := s.store.UserByName(ctx, q, username)
			if err != nil {
				return err
			}
			if !found {
				return ErrNotFound
			}
			userID = u.ID
		}
		if userID != actor.UserID && !HasPermission(actor.Role, ViewLogs) {
			return Forbidden(ViewLogs)
		}
		out, err = s.store.SSHKeys(ctx, q, userID)
		return err
	})
	return out, storeErr("list ssh keys", err)
}
