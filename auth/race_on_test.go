//go:build race

package auth

// raceEnabled: under the race detector bcrypt at cost 12 takes seconds, so
// the few tests that must verify the cost-12 dummy hash skip there (the
// plain `go test ./...` run still covers them).
const raceEnabled = true
