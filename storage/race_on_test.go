//go:build race

package storage_test

// raceEnabled: under the race detector this SQLite runs about ten times
// slower, so the tests that loop over many reads of a large file loop
// fewer times there (the plain `go test ./...` run keeps the full count).
const raceEnabled = true
