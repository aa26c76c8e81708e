// Package pg owns the connection to PostgreSQL: a private embedded server started from the machine's installed
// binaries when no DATABASE_URL is given, the connection pool, and applying the migrations. It knows no domain
// tables; each domain package owns its own SQL.
package pg
