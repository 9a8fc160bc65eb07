package auth

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// TestConcurrentValidateAndKick runs validations, logins and kicks at once
// (under -race this is the data-race check of the activity writer): a
// kicked session never comes back through a flush, and every other session
// survives with its renewal written.
func TestConcurrentValidateAndKick(t *testing.T) {
	cfg := coalesced()
	cfg.AllowMultipleSessions = true
	e := newEnv(t, cfg)
	root := e.user("root", "superuser")
	e.session(root, "op")
	var toks []string
	for i := range 6 {
		tok := fmt.Sprintf("tok-%d", i)
		e.session(e.user(fmt.Sprintf("user%d", i), "player"), tok)
		toks = append(toks, tok)
	}
	now := e.clk.Advance(time.Minute)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 15 {
				tok := toks[(g+i)%len(toks)]
				_, err := e.svc.ValidateSession(t.Context(), tok)
				if err != nil && Status(err) != 401 {
					t.Errorf("validate %s: %v", tok, err)
				}
				if i%5 == 0 {
					_ = e.svc.Flush(t.Context())
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for _, u := range []string{"user0", "user1"} {
			if _, err := e.svc.KickUser(t.Context(), "op", u, ""); err != nil {
				t.Errorf("kick %s: %v", u, err)
			}
		}
	}()
	wg.Wait()
	if err := e.svc.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	for i, tok := range toks {
		if got := e.has(tok); got != (i >= 2) {
			t.Errorf("%s present = %v", tok, got)
		}
		if i >= 2 && e.text(tok, "last_activity") != ts(now) {
			t.Errorf("%s renewal lost: %s", tok, e.text(tok, "last_activity"))
		}
	}
}
