package tui

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"mudtop/auth"
)

// readTimeout bounds one poll: longer than the store's busy timeout, so a
// locked database shows up as "busy" rather than as a timeout.
const readTimeout = 8 * time.Second

// maxTagChecks bounds the off-page tag lookups per poll, so work per tick
// stays bounded by what the operator did, not by the table's size.
const maxTagChecks = 64

// pollRequest is everything one poll needs, copied out of the model when
// the command is built: the command never reads the model from its
// goroutine.
type pollRequest struct {
	seq   int
	token string
	query auth.ListQuery
	tags  []auth.SessionRef // tagged sessions to confirm still exist
	audit int               // audit rows to read; 0 when the view is closed
	// shared gives the counts of a shared poll (Options.Shared), and
	// tickAt the shared tick this read answers.
	shared func() (auth.Counts, *auth.PageShare, bool)
	tickAt time.Time
	// grants is the grants view's page to read; nil when it is closed.
	grants *grantsRequest
}

// pollCmd reads one snapshot (and, when asked, the audit log) through auth.
func pollCmd(svc *auth.Service, r pollRequest) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
		defer cancel()
		start := time.Now()
		var counts auth.Counts
		shared := false
		if r.shared != nil {
			var share *auth.PageShare
			if counts, share, shared = r.shared(); shared {
				r.query.Share = share
			}
		}
		snap, err := svc.Snapshot(ctx, r.token, r.query)
		msg := snapshotMsg{seq: r.seq, snap: snap, err: err, selected: r.query.Selected, took: time.Since(start), tickAt: r.tickAt}
		if err != nil {
			return msg
		}
		if shared {
			msg.snap.Counts, msg.snap.CountsPending = counts, false
		}
		onPage := make(map[auth.SessionRef]bool, len(snap.Rows))
		for _, row := range snap.Rows {
			onPage[row.Ref] = true
		}
		checked := 0
		for _, ref := range r.tags {
			if onPage[ref] || checked == maxTagChecks {
				continue
			}
			checked++
			d, ok, err := svc.SessionDetail(ctx, r.token, ref.RowID)
			if err != nil {
				break // keep the tags; the next poll tries again
			}
			if !ok || d.Session.Ref != ref {
				msg.gone = append(msg.gone, ref)
			}
		}
		if r.audit > 0 {
			msg.audit, msg.err = svc.RecentAudit(ctx, r.token, r.audit)
		}
		if g := r.grants; g != nil {
			res := &grantsResult{req: *g}
			switch {
			case g.mode == grantsUser && g.user != "":
				var ug auth.UserGrants
				if ug, res.err = svc.UserGrants(ctx, r.token, g.user); res.err == nil {
					res.account = &ug
				}
			case g.mode == grantsHolders:
				res.screen, res.err = svc.Grants(ctx, r.token, auth.GrantsQuery{Permission: g.perm, Offset: g.offset, Limit: g.limit})
			case g.mode == grantsFindings:
				res.screen, res.err = svc.Grants(ctx, r.token, auth.GrantsQuery{Offset: g.offset, Limit: g.limit})
			}
			msg.grants = res
		}
		return msg
	}
}

// tickCmd arms the next poll after d.
func tickCmd(d time.Duration, gen int) tea.Cmd {
	return tea.Tick(d, func(time.Time) tea.Msg { return tickMsg{gen: gen} })
}

// actionKind is which guarded action a confirmation runs.
type actionKind int

const (
	actKickSession actionKind = iota
	actKickTagged
	actKickUser
	actClearAll
	actBan
	actUnban
	actKickScope
)

// actionRequest is a confirmed action, frozen when the dialog opened.
type actionRequest struct {
	kind        actionKind
	token       string
	refs        []auth.SessionRef
	username    string
	includeSelf bool
	reason      string
	label       string
	// preview is a scoped kick's frozen set (actKickScope).
	preview *auth.KickPreview
}

// actionCmd runs one guarded action through auth, which checks the
// operator's permission and rank at this moment.
func actionCmd(svc *auth.Service, r actionRequest) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
		defer cancel()
		var res auth.ActionResult
		var err error
		switch r.kind {
		case actKickSession, actKickTagged:
			res, err = svc.KickSessions(ctx, r.token, r.refs, r.reason)
		case actKickUser:
			res, err = svc.KickUser(ctx, r.token, r.username, r.reason)
		case actClearAll:
			res, err = svc.ClearAll(ctx, r.token, r.includeSelf, r.reason)
		case actBan:
			res, err = svc.BanUser(ctx, r.token, r.username, r.reason)
		case actUnban:
			res, err = svc.UnbanUser(ctx, r.token, r.username, r.reason)
		case actKickScope:
			var sr auth.KickScopeResult
			sr, err = svc.KickScoped(ctx, r.token, *r.preview, r.reason)
			res = sr.ActionResult
			return actionMsg{kind: r.kind, label: r.label, result: res, err: err, skippedRank: sr.SkippedRank}
		}
		return actionMsg{kind: r.kind, label: r.label, result: res, err: err}
	}
}

// loginClient is the client type the monitor's sessions are created with.
const loginClient = "mudtop"

// loginCmd logs in (bcrypt runs here, never in Update) and then checks the
// new session may watch the monitor. A session without view_logs is logged
// out again at once: it would only sit in the table, unused.
func loginCmd(svc *auth.Service, user, pass string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
		defer cancel()
		res, err := svc.Login(ctx, user, pass, loginClient)
		if err != nil {
			return loginMsg{err: err}
		}
		id, err := svc.CheckOperator(ctx, res.SessionID)
		if err != nil {
			if auth.Status(err) == 403 {
				_, _ = svc.Logout(ctx, res.SessionID)
			}
			return loginMsg{err: err}
		}
		return loginMsg{token: res.SessionID, operator: id}
	}
}
