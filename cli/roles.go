package cli

import (
	"context"
	"fmt"

	"mudtop/auth"
)

// cmdRoles prints the role x permission matrix. It needs no database: the
// matrix is the server's code, not its data.
func cmdRoles() *command {
	return &command{
		name:     "roles",
		synopsis: "print the role x permission matrix",
		usage:    "roles",
		about: `Prints which permissions each of the four roles holds, in the MUD server's
order, and the role ranks the kick rule uses: an operator may kick only
sessions of a strictly lower rank (and always their own). A role stored in
the database that is not one of the four holds no permission. Superuser
holds every permission. Needs no database.`,
		flags: noFlags(func(ctx context.Context, g *Globals, pos []string) error {
			if err := wantArgs(pos, 0, 0, ""); err != nil {
				return err
			}
			if g.JSON {
				return writeJSON(g.Stdout, rolesJSON())
			}
			headers := []string{"PERMISSION"}
			for _, r := range auth.Roles {
				headers = append(headers, string(r))
			}
			t := &table{headers: headers}
			for _, p := range auth.Permissions {
				row := []string{string(p)}
				for _, r := range auth.Roles {
					mark := "-"
					if auth.HasPermission(string(r), p) {
						mark = "yes"
					}
					row = append(row, mark)
				}
				t.add(row...)
			}
			if err := t.write(g.Stdout); err != nil {
				return err
			}
			fmt.Fprint(g.Stdout, "\nRank: ")
			for i, r := range auth.Roles {
				if i > 0 {
					fmt.Fprint(g.Stdout, " < ")
				}
				fmt.Fprintf(g.Stdout, "%s %d", r, auth.RoleLevel(string(r)))
			}
			fmt.Fprintln(g.Stdout, "\nKicks need kick_users and a strictly higher rank than the target; clear needs manage_users.")
			return nil
		}),
	}
}

type roleJSON struct {
	Name        string   `json:"name"`
	Rank        int      `json:"rank"`
	Permissions []string `json:"permissions"`
}

func rolesJSON() any {
	perms := make([]string, 0, len(auth.Permissions))
	for _, p := range auth.Permissions {
		perms = append(perms, string(p))
	}
	roles := make([]roleJSON, 0, len(auth.Roles))
	for _, r := range auth.Roles {
		j := roleJSON{Name: string(r), Rank: auth.RoleLevel(string(r)), Permissions: []string{}}
		for _, p := range auth.Permissions {
			if auth.HasPermission(string(r), p) {
				j.Permissions = append(j.Permissions, string(p))
			}
		}
		roles = append(roles, j)
	}
	return struct {
		Permissions []string   `json:"permissions"`
		Roles       []roleJSON `json:"roles"`
	}{perms, roles}
}
