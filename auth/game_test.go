package auth

import (
	"testing"
	"time"

	"mudtop/storage/storagetest"
)

const world = "pipeworks_web"

func TestValidateSessionForGame(t *testing.T) {
	e := newEnv(t, writeThrough())
	uid := e.user("alice", "player")
	storagetest.AddWorld(t, e.db, "other", "Other")
	c := storagetest.AddCharacter(t, e.db, uid, "Ali", world)
	e.session(uid, "account")
	storagetest.AddSession(t, e.db, storagetest.Session{UserID: uid, Token: "inworld", CharacterID: c, WorldID: world, Now: e.clk.Now(), TTL: time.Hour})

	_, err := e.svc.ValidateSessionForGame(t.Context(), "account")
	wantErr(t, err, ErrNoCharacter)
	if err.Error() != "No character selected for session. Select a character first." || Status(err) != 409 {
		t.Errorf("409 text %q", err)
	}
	g, err := e.svc.ValidateSessionForGame(t.Context(), "inworld")
	if err != nil || g.CharacterID != c || g.CharacterName != "Ali" || g.WorldID != world || g.Username != "alice" {
		t.Fatalf("game identity %+v %v", g, err)
	}

	_, err = e.svc.ValidateSessionForGame(t.Context(), "missing")
	wantErr(t, err, ErrInvalidSession)
}

// TestGameWorldSelfHeal: a session whose world differs from its
// character's is re-bound to the character's world (COMPAT.md §5.4 step 5).
func TestGameWorldSelfHeal(t *testing.T) {
	e := newEnv(t, writeThrough())
	uid := e.user("alice", "player")
	storagetest.AddWorld(t, e.db, "other", "Other")
	c := storagetest.AddCharacter(t, e.db, uid, "Ali", world)
	storagetest.AddSession(t, e.db, storagetest.Session{UserID: uid, Token: "tok", CharacterID: c, WorldID: world, Now: e.clk.Now(), TTL: time.Hour})
	// The character moves world behind the session's back (the original's
	// UPDATE of characters does not fire the session triggers).
	storagetest.Exec(t, e.db, `UPDATE characters SET world_id = 'other' WHERE id = ?`, c)
	g, err := e.svc.ValidateSessionForGame(t.Context(), "tok")
	if err != nil || g.WorldID != "other" {
		t.Fatalf("= %+v %v; want world other", g, err)
	}
	if got := e.text("tok", "world_id"); got != "other" {
		t.Errorf("session world_id = %q, want re-bound to other", got)
	}
}

// TestGameTombstonedCharacter: the original does not re-check ownership;
// a tombstoned character (user_id NULL, renamed) still validates and
// returns its tombstone name.
func TestGameTombstonedCharacter(t *testing.T) {
	e := newEnv(t, writeThrough())
	uid := e.user("alice", "player")
	c := storagetest.AddCharacter(t, e.db, uid, "Ali", world)
	storagetest.AddSession(t, e.db, storagetest.Session{UserID: uid, Token: "tok", CharacterID: c, WorldID: world, Now: e.clk.Now(), TTL: time.Hour})
	storagetest.Exec(t, e.db, `UPDATE characters SET user_id = NULL, name = 'tombstone_' || id || '_Ali' WHERE id = ?`, c)
	g, err := e.svc.ValidateSessionForGame(t.Context(), "tok")
	if err != nil || g.CharacterName != "tombstone_1_Ali" {
		t.Errorf("= %+v %v", g, err)
	}
}

func TestGameCharacterProblems(t *testing.T) {
	e := newEnv(t, writeThrough())
	uid := e.user("alice", "player")
	c1 := storagetest.AddCharacter(t, e.db, uid, "One", world)
	c2 := storagetest.AddCharacter(t, e.db, uid, "Two", world)
	storagetest.AddSession(t, e.db, storagetest.Session{UserID: uid, Token: "gone", CharacterID: c1, WorldID: world, Now: e.clk.Now(), TTL: time.Hour})
	storagetest.AddSession(t, e.db, storagetest.Session{UserID: uid, Token: "noname", CharacterID: c2, WorldID: world, Now: e.clk.Now(), TTL: time.Hour})
	raw := storagetest.Raw(t, e.st.Path(), false)
	storagetest.Exec(t, raw, `DELETE FROM characters WHERE id = ?`, c1) // FK off: the session keeps pointing at it
	storagetest.Exec(t, raw, `UPDATE characters SET name = '' WHERE id = ?`, c2)
	for _, tok := range []string{"gone", "noname"} {
		_, err := e.svc.ValidateSessionForGame(t.Context(), tok)
		wantErr(t, err, ErrCharacterNotFound)
	}
	storagetest.Exec(t, raw, `UPDATE characters SET name = 'Two', world_id = '' WHERE id = ?`, c2)
	_, err := e.svc.ValidateSessionForGame(t.Context(), "noname")
	wantErr(t, err, ErrCharacterWorld)
	if ErrCharacterNotFound.Detail != "Selected character not found" || ErrCharacterWorld.Detail != "Character world not found" {
		t.Error("409 texts drifted from the original's")
	}
}

func TestSelectCharacter(t *testing.T) {
	e := newEnv(t, writeThrough())
	a := e.user("alice", "player")
	b := e.user("bob", "player")
	storagetest.AddWorld(t, e.db, "closed", "Closed")
	storagetest.AddWorld(t, e.db, "ungranted", "Ungranted")
	mine := storagetest.AddCharacter(t, e.db, a, "Ali", world)
	locked := storagetest.AddCharacter(t, e.db, a, "Lock", "closed")
	theirs := storagetest.AddCharacter(t, e.db, b, "Bobby", world)
	own := storagetest.AddCharacter(t, e.db, a, "Own", "ungranted")
	storagetest.Grant(t, e.db, a, world)
	storagetest.Grant(t, e.db, a, "closed")
	storagetest.Exec(t, e.db, `UPDATE worlds SET is_active = 0 WHERE id = 'closed'`)
	e.session(a, "tok")

	for _, c := range []struct {
		name string
		id   int64
		want *Error
	}{
		{"another user's character", theirs, ErrCharacterNotOwned},
		{"no such character", 9999, ErrCharacterNotOwned},
		{"inactive world, even when granted", locked, ErrWorldAccess},
	} {
		_, err := e.svc.SelectCharacter(t.Context(), "tok", c.id)
		wantErr(t, err, c.want)
		// Only the touch may differ; nothing is bound.
		if got := storagetest.Typeof(t, e.db, "tok", "character_id"); got != "null" {
			t.Errorf("%s: session bound (%s)", c.name, got)
		}
	}
	if ErrCharacterNotOwned.Status != 404 || ErrCharacterNotOwned.Detail != "Character not found for this user" ||
		ErrWorldAccess.Status != 403 || ErrWorldAccess.Detail != "World access denied" {
		t.Error("selection texts drifted")
	}
	// Regression: a user may enter a world where they own a character
	// without an explicit grant (the original's has_existing_character);
	// mudtop used to demand a world_permissions row and answer 403.
	if g, err := e.svc.SelectCharacter(t.Context(), "tok", own); err != nil || g.WorldID != "ungranted" {
		t.Errorf("own character in an ungranted world: %+v %v", g, err)
	}
	g, err := e.svc.SelectCharacter(t.Context(), "tok", mine)
	if err != nil || g.CharacterID != mine || g.WorldID != world {
		t.Fatalf("select = %+v %v", g, err)
	}
	if e.text("tok", "character_id") != "1" || e.text("tok", "world_id") != world {
		t.Error("session not bound to the character with the same token")
	}
	if n := storagetest.CountSessions(t, e.db); n != 1 {
		t.Errorf("selection created rows: %d", n)
	}
	_, err = e.svc.SelectCharacter(t.Context(), "nope", mine)
	wantErr(t, err, ErrInvalidSession)
}

// TestOddSessionKeys: keys that a hand edit past the original's foreign
// keys and triggers can leave on a session. The original reads user_id
// through Python's int() (COMPAT.md §4 get_session_by_id), which truncates
// a real toward zero and fails on text, and looks the character up by the
// stored value, which no character's integer id equals; an empty text is
// falsy, so no character is selected at all (§5.4).
func TestOddSessionKeys(t *testing.T) {
	e := newEnv(t, writeThrough())
	alice := e.user("alice", "player")
	c := storagetest.AddCharacter(t, e.db, alice, "Ali", world)
	raw := storagetest.Raw(t, e.st.Path(), false) // foreign keys off
	storagetest.Exec(t, raw, `DROP TRIGGER enforce_session_invariants_insert`)
	add := func(token string, user, char, world any) {
		t.Helper()
		storagetest.Exec(t, raw, `INSERT INTO sessions (user_id, character_id, world_id, session_id, created_at, last_activity, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, user, char, world, token, ts(e.clk.Now()), ts(e.clk.Now()), ts(e.clk.Now().Add(time.Hour)))
	}
	add("real-user", float64(alice)+0.75, nil, nil)
	add("below-zero", -0.5, nil, nil) // int(-0.5) is 0: no account
	add("text-user", "alice", nil, nil)
	add("real-char", alice, float64(c)+0.5, world)
	add("text-char", alice, "Ali", world)
	add("empty-char", alice, "", world)
	if got := storagetest.Typeof(t, e.db, "real-user", "user_id"); got != "real" {
		t.Fatalf("user_id stored as %s, want real", got)
	}

	id, err := e.svc.ValidateSession(t.Context(), "real-user")
	if err != nil || id.UserID != alice || id.Username != "alice" {
		t.Errorf("real user_id: %+v %v; want account %d, as int() truncates", id, err, alice)
	}
	_, err = e.svc.ValidateSession(t.Context(), "below-zero")
	wantErr(t, err, ErrInvalidSessionUser)
	_, err = e.svc.ValidateSession(t.Context(), "text-user")
	var se *StoreError
	if !asStoreErr(err, &se) {
		t.Errorf("text user_id: %v; want the original's 500 (Session store unavailable), int() fails", err)
	}
	for tok, want := range map[string]*Error{"real-char": ErrCharacterNotFound, "text-char": ErrCharacterNotFound, "empty-char": ErrNoCharacter} {
		if id, err := e.svc.ValidateSession(t.Context(), tok); err != nil || id.UserID != alice {
			t.Errorf("%s: ValidateSession = %+v %v; the character is not its business", tok, id, err)
		}
		_, err := e.svc.ValidateSessionForGame(t.Context(), tok)
		wantErr(t, err, want)
	}
}
