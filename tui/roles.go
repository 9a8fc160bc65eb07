package tui

import (
	"strings"

	"mudtop/auth"
)

// roles is the role x permission matrix, with the operator's role column
// highlighted: how an administrator checks what each role may do. It reads
// the rules from auth, never from the database.
type roles struct{}

func (roles) view(th *Theme, width, height int, operatorRole string) string {
	const first = 14
	colW := 17
	var b strings.Builder
	b.WriteString(th.Table.Header.Render(Fit("PERMISSION", first)))
	for _, r := range auth.Roles {
		st := th.Table.Header
		title := string(r)
		if strings.EqualFold(operatorRole, string(r)) {
			st = th.Table.Sorted
			title += " (you)"
		}
		b.WriteString(st.Render(Fit(title, colW)))
	}
	lines := []string{b.String()}
	for _, p := range auth.Permissions {
		b.Reset()
		b.WriteString(th.Panel.Label.Render(Fit(string(p), first)))
		for _, r := range auth.Roles {
			own := strings.EqualFold(operatorRole, string(r))
			mark, st := "·", th.Panel.Lacks
			if auth.HasPermission(string(r), p) {
				mark, st = "✓", th.Panel.Holds
			}
			if own {
				st = st.Inherit(th.Panel.Own)
			}
			b.WriteString(st.Render(Fit(mark, colW)))
		}
		lines = append(lines, b.String())
	}
	lines = append(lines, "",
		th.App.Faint.Render("superuser holds every permission (full_access). Roles rank player < worldbuilder < admin < superuser;"),
		th.App.Faint.Render("kicks also need a strictly higher rank than the target's role."))
	for i, l := range lines {
		// Pad with plain spaces: a line that ends in a shaded cell lets
		// some terminals carry the shade to the edge on erase.
		lines[i] = clip(l, width) + strings.Repeat(" ", max(width-displayWidth(l), 0))
	}
	if len(lines) > height {
		lines = lines[:height]
	}
	return strings.Join(lines, "\n")
}
