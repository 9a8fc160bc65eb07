package cli

import "runtime/debug"

// readBuildInfo is debug.ReadBuildInfo; a variable of the test binary
// would be mutable package state, so tests read the real one.
func readBuildInfo() (*debug.BuildInfo, bool) { return debug.ReadBuildInfo() }
