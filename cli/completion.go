package cli

import (
	"github.com/spf13/cobra"

	"mudtop/auth"
)

// registerCompletions adds value completions to the flags cc has: sort
// columns, permission names and roles come from the same tables that
// parse them, so a completion can never offer a value that is refused.
func registerCompletions(cc *cobra.Command) {
	fixed := func(name string, values []string) {
		if cc.Flags().Lookup(name) == nil {
			return
		}
		_ = cc.RegisterFlagCompletionFunc(name, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
	}
	var sorts []string
	for _, n := range sortNames() {
		sorts = append(sorts, n, "-"+n)
	}
	fixed("sort", sorts)
	var perms []string
	for _, p := range auth.Permissions {
		perms = append(perms, string(p))
	}
	fixed("permission", perms)
	var roles []string
	for _, r := range auth.Roles {
		roles = append(roles, string(r))
	}
	fixed("role", roles)
}
