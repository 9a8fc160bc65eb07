package cli

import (
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	"charm.land/log/v2"
	"github.com/spf13/pflag"
	gossh "golang.org/x/crypto/ssh"

	"mudtop/auth"
	"mudtop/serve"
	"mudtop/tui"
)

// shutdownWithin is how long SIGTERM may take to end every connection.
const shutdownWithin = 5 * time.Second

// cmdServe runs the SSH server.
func cmdServe() *command {
	return &command{
		name:     "serve",
		synopsis: "serve the monitor over SSH, with MUD accounts as the only way in",
		usage:    "serve [--listen ADDR] [--host-key FILE] [--max-sessions N] [--max-per-user N] [--idle-timeout D] [--no-password] [--log-format text|json]",
		about: `Serves the monitor over SSH: admins connect with 'ssh -p 2222 NAME@host' as
their MUD account (a key registered with 'mudtop keys add', or the
account's password) and get the monitor with that account's permissions;
'ssh -p 2222 NAME@host count --json' runs a command as that account. There
is no shell and no file access. The account needs view_logs. Each
connection has a MUD session of its own (client type ssh), removed when it
ends; the account's game sessions are kept. Logs go to stderr. SIGTERM or
SIGINT logs every viewer out and exits.`,
		flags: serveFlags,
	}
}

func serveFlags(fs *pflag.FlagSet) runFunc {
	listen := fs.String("listen", serve.DefaultListen, "listen on `ADDR` (a public address must be asked for)")
	hostKey := fs.String("host-key", "", "the host key `FILE` (default $XDG_DATA_HOME/mudtop/ssh_host_ed25519_key, created on first start)")
	maxSessions := fs.Int("max-sessions", serve.DefaultMaxSessions, "at most `N` connections at once")
	maxPerUser := fs.Int("max-per-user", serve.DefaultMaxPerUser, "at most `N` connections of one account")
	idle := fs.Duration("idle-timeout", serve.DefaultIdleTimeout, "end a monitor after this long without a key press (0: never)")
	noPassword := fs.Bool("no-password", false, "accept registered keys only, no passwords")
	logFormat := fs.String("log-format", "text", "log as `text` or json")
	return func(ctx context.Context, g *Globals, pos []string) error {
		if err := wantArgs(pos, 0, 0, ""); err != nil {
			return err
		}
		if *maxSessions < 1 || *maxPerUser < 1 || *idle < 0 {
			return usagef("--max-sessions and --max-per-user must be 1 or more, --idle-timeout 0 or more")
		}
		logger := log.NewWithOptions(g.Stderr, log.Options{ReportTimestamp: true, Prefix: "mudtop serve"})
		switch *logFormat {
		case "text":
		case "json":
			logger.SetFormatter(log.JSONFormatter)
		default:
			return usagef("--log-format %q: want text or json", *logFormat)
		}
		path := *hostKey
		if path == "" {
			path = serve.DefaultHostKeyPath(g.Getenv)
		}
		signer, err := serve.LoadHostKey(path)
		if err != nil {
			return err
		}
		srv, svc, l, err := startServe(ctx, g, serveOptions{
			listen: *listen, hostKey: signer, maxSessions: *maxSessions, maxPerUser: *maxPerUser,
			idle: *idle, noPassword: *noPassword, log: logger,
		})
		if err != nil {
			return err
		}
		defer svc.close()
		logger.Info("listening", "addr", l.Addr().String(), "host_key", srv.Fingerprint(), "db", g.DB)
		served := make(chan error, 1)
		go func() { served <- srv.Serve(l) }()
		select {
		case err := <-served:
			return err
		case <-ctx.Done():
		}
		logger.Info("shutting down")
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownWithin)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			logger.Error("shutdown", "err", err)
		}
		<-served
		logger.Info("stopped")
		return nil
	}
}

// serveOptions are the flags of mudtop serve, parsed.
type serveOptions struct {
	listen                  string
	hostKey                 gossh.Signer
	maxSessions, maxPerUser int
	idle                    time.Duration
	noPassword              bool
	log                     *log.Logger
}

// startServe opens the database and the server over it and listens; the
// caller serves and, in the end, closes the service.
func startServe(ctx context.Context, g *Globals, o serveOptions) (*serve.Server, *service, net.Listener, error) {
	settings, err := LoadSettings(g.Look, g.Config, g.Config != "" && g.Config != defaultConfigPath(g.Getenv))
	if err != nil {
		return nil, nil, nil, err
	}
	cfg, err := loadConfig(g)
	if err != nil {
		return nil, nil, nil, err
	}
	s, err := openService(ctx, g, cfg)
	if err != nil {
		return nil, nil, nil, err
	}
	look, svc := g.Look, s.Service
	srv, err := serve.New(svc, serve.Config{
		HostKey: o.hostKey, MaxSessions: o.maxSessions, MaxPerUser: o.maxPerUser, IdleTimeout: o.idle,
		NoPassword: o.noPassword, Interval: settings.Interval, Log: o.log, DBLabel: g.DB,
		Keys: settings.Keys,
		Theme: func(noColor bool) (tui.ThemeFunc, bool, error) {
			return look.Theme(settings.Theme, noColor)
		},
		Exec: func(ctx context.Context, r serve.ExecRequest) int { return runRemote(ctx, svc, look, r) },
	})
	if err != nil {
		s.close()
		return nil, nil, nil, err
	}
	l, err := net.Listen("tcp", o.listen)
	if err != nil {
		s.close()
		return nil, nil, nil, fmt.Errorf("listen on %s: %w", o.listen, err)
	}
	return srv, s, l, nil
}

// remoteRefused are the options and commands an SSH exec request may not
// use: the server's database and the connection's session are the only
// ones, and a command that would open another or make one does not belong.
var remoteRefusedFlags = []string{"--db", "--session", "--config", "--read-only"}

// remoteRefusedCommands would start a server, a demo or a local monitor,
// make a database or a session, or write the man page to the server's own
// terminal.
var remoteRefusedCommands = map[string]string{
	"serve": "", "init": "", "demo": "", "login": "your connection is your login",
	"logout": "close the connection to log out", "monitor": "connect with ssh -t HOST for the monitor", "man": "",
}

// refusedRemote says why args cannot run over SSH, or "".
func refusedRemote(args []string) string {
	for _, a := range args {
		if a == "--" {
			break
		}
		for _, f := range remoteRefusedFlags {
			if a == f || strings.HasPrefix(a, f+"=") {
				return fmt.Sprintf("mudtop serve: %s is not available over SSH: the server's database and your connection's session are used", f)
			}
		}
	}
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			continue
		}
		if why, refused := remoteRefusedCommands[a]; refused {
			msg := fmt.Sprintf("mudtop serve: '%s' is not available over SSH", a)
			if why != "" {
				msg += ": " + why
			}
			return msg
		}
		break
	}
	return ""
}

// runRemote runs an exec request's command line in this process, on the
// server's open service, as the connection's session.
func runRemote(ctx context.Context, svc *auth.Service, look Look, r serve.ExecRequest) int {
	if why := refusedRemote(r.Args); why != "" {
		fmt.Fprintln(r.Stderr, why)
		return exitUsage
	}
	env := map[string]string{}
	for _, kv := range r.Env {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	return Run(ctx, r.Args, &Globals{
		Service: svc, Session: r.Token, Remote: true, Look: look,
		Stdin: r.Stdin, Stdout: r.Stdout, Stderr: r.Stderr,
		Getenv: func(k string) string { return env[k] },
	})
}
