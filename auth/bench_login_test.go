package auth_test

import (
	"context"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"mudtop/auth"
	"mudtop/storage/storagetest"
)

// BenchmarkLogin shows where a login's time goes on a 100k-session database
// in the original's mode: the whole Login (user lookup, bcrypt, removal of
// the user's other sessions, the new session and last_login in one
// commit) against bcrypt alone on the same hash. The target is everything
// but the hash within 5 ms. It logs in users whose hash has cost 4 so the
// difference is not lost in bcrypt's own variance; "cost12" is a login at
// the original's cost for scale.
func BenchmarkLogin(b *testing.B) {
	for _, mode := range []string{storagetest.ModeRollback, storagetest.ModeWAL} {
		b.Run(mode+"/100k", func(b *testing.B) {
			svc, g := benchService(b, mode, 100_000, auth.DefaultConfig())
			ctx := context.Background()
			var total, hash time.Duration
			i := 0
			for b.Loop() {
				// A different user each time: the login limiter and the
				// single-session rule see what a real login sees.
				user := g.Users[i%len(g.Users)]
				i++
				t0 := time.Now()
				if err := bcrypt.CompareHashAndPassword([]byte(storagetest.Hash4), []byte(storagetest.Password)); err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				if _, err := svc.Login(ctx, user, storagetest.Password, "bench"); err != nil {
					b.Fatal(err)
				}
				hash += t1.Sub(t0)
				total += time.Since(t1)
			}
			b.ReportMetric(float64(total.Microseconds())/float64(i)/1000, "login-ms")
			b.ReportMetric(float64(hash.Microseconds())/float64(i)/1000, "bcrypt-ms")
			b.ReportMetric(float64((total-hash).Microseconds())/float64(i)/1000, "nonbcrypt-ms")
		})
	}
	b.Run("cost12", func(b *testing.B) {
		svc, g := benchService(b, storagetest.ModeRollback, 1_000, auth.DefaultConfig())
		ctx := context.Background()
		for b.Loop() {
			if _, err := svc.Login(ctx, g.OperatorUser, storagetest.Password, "bench"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
