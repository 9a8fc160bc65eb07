package cli

const helpEnv = `Environment:
  MUD_DB_PATH                        database file (default data/mud.db)
  MUD_SESSION_TTL_MINUTES            session lifetime, 0 = never expires (480)
  MUD_SESSION_SLIDING_EXPIRATION     renew expiry on each validation (true)
  MUD_SESSION_ALLOW_MULTIPLE         several sessions per user (false)
  MUD_SESSION_ACTIVE_WINDOW_MINUTES  window of the active count, 0 = off (30)
  MUDTOP_ACTIVITY_FLUSH_MS           monitor/demo activity write-behind (1000)
  MUDTOP_SESSION                     default for --session
  MUDTOP_PASSWORD                    password for 'mudtop login'
  MUDTOP_ADMIN_PASSWORD              superuser password for 'mudtop init'
  NO_COLOR                           any value: the monitor draws without colour
`

const helpExit = `Exit codes:
  0 ok   1 failure   2 usage   3 not logged in (401)
  4 not allowed (403)   5 no character selected (409)
  6 refused as a bad request (400)
`
