package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
)

// The validation lookup is the one query on every request's path, and
// through database/sql about a sixth of its cost is the package itself: a
// Rows object, two locks and a conversion per column. On a pinned
// connection the lookup therefore talks to the driver directly, with the
// statement prepared once and the argument and value slices reused. It
// handles only the value types a well-formed row has; anything else (a
// user_id stored as text, say) is read again through database/sql, so an
// odd row gets exactly the conversion, or the error, it always got.

// errOddRow sends a lookup back to database/sql.
var errOddRow = errors.New("storage: lookup row needs database/sql's conversion")

// prepareRaw prepares the lookup on c's driver connection.
func (c *hotConn) prepareRaw(ctx context.Context) error {
	return c.conn.Raw(func(dc any) error {
		p, ok := dc.(driver.ConnPrepareContext)
		if !ok {
			return errOddRow
		}
		st, err := p.PrepareContext(ctx, sessionAuthSQL)
		if err != nil {
			return err
		}
		if _, ok := st.(driver.StmtQueryContext); !ok {
			st.Close()
			return errOddRow
		}
		c.raw, c.vals, c.args = st, make([]driver.Value, len(authColumns)), make([]driver.NamedValue, 1)
		return nil
	})
}

// closeRaw closes the driver statement; the connection must still be open.
func (c *hotConn) closeRaw() {
	if c.raw != nil {
		c.conn.Raw(func(any) error { return c.raw.Close() })
		c.raw = nil
	}
}

// scanRaw runs the lookup on the driver and assigns the row to dest (the
// pointers SessionAuth passes). It returns errOddRow when the row holds a
// value type it does not convert, and sql.ErrNoRows when there is no row.
func (c *hotConn) scanRaw(ctx context.Context, token string, dest []any) error {
	if c.raw == nil {
		return errOddRow
	}
	// As database/sql does: a request already given up on runs nothing and
	// says why.
	if err := ctx.Err(); err != nil {
		return err
	}
	return c.conn.Raw(func(any) error {
		c.args[0] = driver.NamedValue{Ordinal: 1, Value: token}
		rows, err := c.raw.(driver.StmtQueryContext).QueryContext(ctx, c.args)
		if err != nil {
			return err
		}
		err = rows.Next(c.vals)
		if cerr := rows.Close(); err == nil {
			err = cerr
		}
		if err == io.EOF {
			return sql.ErrNoRows
		}
		if err != nil {
			return err
		}
		for i, v := range c.vals {
			if !assignPlain(dest[i], v) {
				return errOddRow
			}
		}
		return nil
	})
}

// authColumns are the lookup's result columns, in order; SessionAuth scans
// each into the field named here.
var authColumns = [...]string{"RowID", "SessionID", "UserID", "CharacterID", "WorldID",
	"ExpiresType", "ExpiresAt", "LastActivity", "UserFound", "Username", "Role", "UserActive", "Tombstoned", "CharacterOdd"}

// assignPlain stores v in dest when the pair is one database/sql would
// convert without any parsing, and reports whether it did.
func assignPlain(dest any, v driver.Value) bool {
	switch d := dest.(type) {
	case *int64:
		if n, ok := v.(int64); ok {
			*d = n
			return true
		}
	case *string:
		if s, ok := v.(string); ok {
			*d = s
			return true
		}
	case *bool:
		if n, ok := v.(int64); ok && (n == 0 || n == 1) {
			*d = n == 1
			return true
		}
	case *sql.NullString:
		switch s := v.(type) {
		case nil:
			*d = sql.NullString{}
			return true
		case string:
			*d = sql.NullString{String: s, Valid: true}
			return true
		}
	}
	return false
}
