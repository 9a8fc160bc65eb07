package main

import "context"

func cmdLock(ctx context.Context, args []string) error { return nil }
func cmdHold(ctx context.Context, args []string) error { return nil }
