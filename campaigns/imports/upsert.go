package imports

import (
	"fmt"
	"strings"
)

// The statements that move a batch from the staging table into the real one. They are built per import from the
// fields it carries: a field no column gives is left out, so the database keeps what it has.
//
// New rows are inserted, then existing rows updated: the two plain statements cost less than half of one
// INSERT ... ON CONFLICT DO UPDATE ... RETURNING, whose speculative insertion, sort and returned rows dominated
// a million-row import. What ON CONFLICT gave — safety against a concurrent writer — comes from the lock
// imports of a dataset take for each batch, and from the fallback in loader.insert.

// statements are one import's SQL.
type statements struct {
	plan     string   // makes the batch's statements look rows up by index
	lock     string   // serialises the batches of imports of the same dataset
	update   string   // changes the existing rows whose values differ
	insert   []string // adds the rows that do not exist (events: with an external_id, then without)
	conflict string   // insert[0] for when another writer inserted one of the keys meanwhile
	missing  string   // finds rows naming an unknown client or application; "" for clients
	// existing finds which of a batch's keys ($1, text[]) the real table has, for datasets whose new rows are
	// copied straight into it (see loader.copyNew); "" for the others.
	existing string
	// A dry run counts what update and insert would touch, with the same joins and conditions, and writes
	// nothing: it holds no locks and keeps no one waiting.
	countUpdate string
	countInsert []string
}

// Imports of a dataset lock it for each batch, so two imports writing the same records take turns batch by batch
// instead of deadlocking on each other's rows or racing to insert the same key.
func (s *spec) statements(present []bool, extra bool) statements {
	st := statements{
		// A batch is a few thousand rows and the real table may hold millions, so the right plan is always an
		// index lookup per staged row. The planner, seeing an unanalysed temporary table and a table that grew
		// since its last ANALYZE, picks hash joins over a full scan of the real table instead — every batch
		// rescanning everything loaded before made a million-row import quadratic.
		plan:    "SELECT set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true)",
		lock:    fmt.Sprintf("SELECT pg_advisory_xact_lock(hashtext('dozvon imports %s'))", s.dataset),
		missing: s.missingSQL(),
	}
	st.update, st.countUpdate = s.updateSQL(present, extra)
	inserts := []insert{s.keyedInsert(present, extra)}
	if s.keyOptional {
		inserts = append(inserts, s.unkeyedInsert(present, extra))
	}
	for _, in := range inserts {
		st.insert = append(st.insert, in.sql(s.table))
		st.countInsert = append(st.countInsert, "SELECT count(*)"+in.body)
	}
	st.conflict = st.insert[0] + "\nON CONFLICT (external_id) DO NOTHING"
	if s.direct() {
		// A join, not external_id = ANY($1): with hash and merge joins off (plan), it is an index probe per key,
		// where ANY was planned as a scan of the whole table once the table had grown since its statistics.
		st.existing = fmt.Sprintf(`
SELECT k FROM unnest($1::text[]) k
WHERE EXISTS (SELECT FROM %s t WHERE t.external_id = k)`, s.table)
	}
	return st
}

// direct says whether a batch's new rows can be copied straight into the real table: every row has its key, and
// no field names a row of another table that would have to be looked up first. It holds for clients.
func (s *spec) direct() bool { return s.ref == nil && !s.keyOptional }

// updateSQL skips rows whose values are all the same, so a re-import writes only what changed and updated_at
// says when a record really changed.
func (s *spec) updateSQL(present []bool, extra bool) (update, count string) {
	cols, exprs := s.columns(present, false, false)
	set := make([]string, len(cols))
	was := make([]string, len(cols))
	for i, c := range cols {
		set[i] = c + " = " + exprs[i]
		was[i] = "t." + c
	}
	changed := fmt.Sprintf("(%s) IS DISTINCT FROM (%s)", strings.Join(was, ", "), strings.Join(exprs, ", "))
	if extra {
		// Extra columns add keys to what earlier imports stored, and replace the values of keys they repeat.
		set = append(set, fmt.Sprintf("%s = t.%s || s.%s", s.extra, s.extra, s.extra))
		changed = fmt.Sprintf("(%s OR NOT t.%s @> s.%s)", changed, s.extra, s.extra)
	}
	if s.touch {
		set = append(set, "updated_at = now()")
	}
	update = fmt.Sprintf(`
UPDATE %s AS t
SET %s
FROM %s
WHERE t.external_id = s.external_id
  AND %s`, s.table, strings.Join(set, ",\n    "), s.from(), changed)
	count = fmt.Sprintf(`
SELECT count(*)
FROM %s JOIN %s t ON t.external_id = s.external_id
WHERE %s`, s.from(), s.table, changed)
	return update, count
}

// insert is an INSERT ... SELECT: the columns, the staging expressions, and the FROM and WHERE that pick the
// new rows.
type insert struct {
	cols, exprs []string
	body        string
}

func (in insert) sql(table string) string {
	return fmt.Sprintf("\nINSERT INTO %s (%s)\nSELECT %s%s", table, strings.Join(in.cols, ", "),
		strings.Join(in.exprs, ", "), in.body)
}

func (s *spec) keyedInsert(present []bool, extra bool) insert {
	cols, exprs := s.columns(present, extra, true)
	return insert{cols, exprs, fmt.Sprintf(`
FROM %s
WHERE s.external_id IS NOT NULL
  AND NOT EXISTS (SELECT FROM %s t WHERE t.external_id = s.external_id)`, s.from(), s.table)}
}

// unkeyedInsert adds the events that have no external_id unless the same event (application, kind, time and
// result) is already there: the bank's call log has no ids, and a re-import must not double its calls.
func (s *spec) unkeyedInsert(present []bool, extra bool) insert {
	cols, exprs := s.columns(present, extra, false)
	var same []string
	for _, name := range s.naturalKey {
		if s.ref != nil && name == s.ref.field {
			same = append(same, fmt.Sprintf("t.%s = r.id", s.ref.column))
			continue
		}
		same = append(same, fmt.Sprintf("t.%s = s.%s", name, name))
	}
	return insert{cols, exprs, fmt.Sprintf(`
FROM %s
WHERE s.external_id IS NULL
  AND NOT EXISTS (SELECT FROM %s t WHERE t.external_id IS NULL AND %s)`,
		s.from(), s.table, strings.Join(same, " AND "))}
}

// columns lists the real table's columns an import sets and the staging expressions that feed them.
func (s *spec) columns(present []bool, extra, withKey bool) (cols, exprs []string) {
	for i, f := range s.fields {
		switch {
		case f.name == "external_id":
			if !withKey {
				continue
			}
		case !present[i]:
			continue
		}
		if s.ref != nil && f.name == s.ref.field {
			cols, exprs = append(cols, s.ref.column), append(exprs, "r.id")
			continue
		}
		cols, exprs = append(cols, f.name), append(exprs, "s."+f.name)
	}
	if extra {
		cols, exprs = append(cols, s.extra), append(exprs, "s."+s.extra)
	}
	return cols, exprs
}

// from is the staging table, joined to the referenced table: rows whose reference is unknown drop out here, and
// missingSQL reports them.
func (s *spec) from() string {
	if s.ref == nil {
		return s.staging() + " s"
	}
	return fmt.Sprintf("%s s JOIN %s r ON r.external_id = s.%s", s.staging(), s.ref.table, s.ref.field)
}

func (s *spec) missingSQL() string {
	if s.ref == nil {
		return ""
	}
	return fmt.Sprintf(`
SELECT s.line, s.%s FROM %s s
WHERE NOT EXISTS (SELECT FROM %s r WHERE r.external_id = s.%s)
ORDER BY s.line`, s.ref.field, s.staging(), s.ref.table, s.ref.field)
}

// stagingDDL creates the session's staging table. A temporary table writes no WAL and goes away with the
// connection if the import dies; each batch is one transaction, and its commit empties the table in place
// (TRUNCATE would give it a new file every batch).
func (s *spec) stagingDDL() string {
	cols := make([]string, 0, s.width())
	for i := range s.fields {
		cols = append(cols, s.fields[i].name+" "+s.fields[i].sqlType())
	}
	if s.extra != "" {
		cols = append(cols, s.extra+" jsonb")
	}
	cols = append(cols, "line integer NOT NULL")
	return fmt.Sprintf("CREATE TEMP TABLE %s (%s) ON COMMIT DELETE ROWS", s.staging(), strings.Join(cols, ", "))
}
