package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// printReport prints the figures of every mode as one table, then the
// breakdowns.
func printReport(w io.Writer, c runConfig, rs []result) {
	fmt.Fprintf(w, "\nsoak: %d players, TTL %s, activity flush %s, phases of %s (monitor polls every 100 ms in even phases)\n\n",
		c.users, c.ttl, c.flush, c.phase)
	tw := tabwriter.NewWriter(w, 2, 0, 2, ' ', tabwriter.AlignRight)
	row := func(cells ...string) { fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t") }
	head := []string{"figure"}
	for _, r := range rs {
		head = append(head, r.mode)
	}
	row(head...)
	add := func(name string, f func(r result) string) {
		cells := []string{name}
		for _, r := range rs {
			cells = append(cells, f(r))
		}
		row(cells...)
	}
	add("target ops/s (workers)", func(r result) string { return fmt.Sprintf("%d (%d)", r.rate, r.workers) })
	add("sessions held before start", func(r result) string { return fmt.Sprint(r.preLogins) })
	add("writer operations", func(r result) string { return fmt.Sprint(r.ops) })
	add("ops/s", func(r result) string { return fmt.Sprintf("%.0f", r.opsPerSec) })
	add("rate misses", func(r result) string { return fmt.Sprint(r.missed) })
	add("lock errors (writer), monitor on", func(r result) string { return fmt.Sprintf("%d, %d", r.lockErrors, r.lockOn) })
	add("other db errors (writer)", func(r result) string { return fmt.Sprint(r.otherErrs) })
	add("sessions vanished (401)", func(r result) string { return fmt.Sprint(r.vanished) })
	add("  of which kicked", func(r result) string { return fmt.Sprint(r.kickedSeen) })
	add("  of which expired", func(r result) string { return fmt.Sprint(r.expiredSeen) })
	add("  lost (unaccounted)", func(r result) string { return fmt.Sprint(r.lost) })
	add("held at end", func(r result) string { return fmt.Sprint(r.finals) })
	add("  present in db", func(r result) string { return fmt.Sprint(r.finalPresent) })
	add("  kicked after last use", func(r result) string { return fmt.Sprint(r.finalKicked) })
	add("  missing", func(r result) string { return fmt.Sprint(r.missing) })
	add("unknown sessions in db", func(r result) string { return fmt.Sprint(r.strangers) })
	add("kicks ok / not found", func(r result) string { return fmt.Sprintf("%d / %d", r.kicksOK, r.kicksNotFound) })
	add("kicks busy / failed", func(r result) string { return fmt.Sprintf("%d / %d", r.kicksBusy, r.kicksErr) })
	add("monitor polls", func(r result) string { return fmt.Sprint(r.polls) })
	add("monitor errors (busy)", func(r result) string { return fmt.Sprintf("%d (%d)", r.pollErrs, r.pollBusy) })
	add("snapshot p50 / p99 / max", func(r result) string {
		return fmt.Sprintf("%s / %s / %s", ms(r.pollP50), ms(r.pollP99), ms(r.pollMax))
	})
	add("writer p50 off / on", func(r result) string { return fmt.Sprintf("%s / %s", ms(r.offP50), ms(r.onP50)) })
	add("writer p99 off / on", func(r result) string { return fmt.Sprintf("%s / %s", ms(r.offP99), ms(r.onP99)) })
	add("overhead p50 (on/off)", func(r result) string { return fmt.Sprintf("%.2fx", ratio(r.onP50, r.offP50)) })
	add("overhead p99 (on/off)", func(r result) string { return fmt.Sprintf("%.2fx", ratio(r.onP99, r.offP99)) })
	add("p99 off / on, settled", func(r result) string {
		return fmt.Sprintf("%s / %s (%.2fx)", ms(r.offSettledP99), ms(r.onSettledP99), ratio(r.onSettledP99, r.offSettledP99))
	})
	add("samples off / on", func(r result) string { return fmt.Sprintf("%d / %d", r.offN, r.onN) })
	add("goroutines start/end w,m,a", func(r result) string {
		var parts []string
		for _, n := range []string{"writer", "monitor", "admin"} {
			g := r.gor[n]
			parts = append(parts, fmt.Sprintf("%d/%d", g[0], g[1]))
		}
		return strings.Join(parts, " ")
	})
	tw.Flush()
	fmt.Fprintf(w, "settled: without the first %s of each phase, where SSH viewers log in and, a phase later, out\n", phaseEdge)
	for _, r := range rs {
		fmt.Fprintf(w, "\n%s operations: %s; outcomes: %s", r.mode, counts(r.byOp), counts(r.byRes))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "\nwriter latency by operation, monitor off -> on (p50, p99):")
	for _, r := range rs {
		for _, op := range []string{"game", "validate", "select", "login", "logout"} {
			off, on := r.opOff[op], r.opOn[op]
			fmt.Fprintf(w, "  %-8s %-8s p50 %s -> %s  p99 %s -> %s  (n %d / %d)\n", r.mode, op,
				ms(pct(off, 50)), ms(pct(on, 50)), ms(pct(off, 99)), ms(pct(on, 99)), len(off), len(on))
		}
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond)) }

func counts(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}
