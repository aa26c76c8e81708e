package imports

import (
	"context"
	"encoding/json"
	"io"
	"sort"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"dozvon/internal/msg"
)

// ImportRecords loads records the bank's systems send as JSON objects (POST /api/v1/clients, applications,
// events), through the same checks and upsert as a file; opts.Dataset says which, and a problem's Line is the
// record's position, from 1. Keys are field names; values are strings, numbers, booleans or null. Clients may
// carry an "attributes" object and events a "payload" object, merged into what is stored; any other key is a
// problem, so that a misspelt field is not silently lost.
//
// A field that no record of the call carries is left alone, as an unmapped column is; a field that some records
// carry is set in all of them, emptied where a record leaves it out. Senders should send whole records.
func ImportRecords(ctx context.Context, pool *pgxpool.Pool, records []map[string]any, opts Options) (Report, error) {
	s, err := specFor(opts.Dataset)
	if err != nil {
		return Report{}, err
	}
	p := newParser(s, recordLayout(s, records), opts.Location, false)
	rep := Report{Dataset: s.dataset, DryRun: opts.DryRun}
	return run(ctx, pool, p, &recordInputs{spec: s, records: records}, "api", opts, rep)
}

// recordLayout maps the fields some record carries, and the required ones, so that a record without one is
// reported rather than the whole call refused.
func recordLayout(s *spec, records []map[string]any) layout {
	l := layout{mapped: make([]bool, len(s.fields)), columns: make([]string, len(s.fields))}
	for i, f := range s.fields {
		l.mapped[i] = f.required
	}
	for _, r := range records {
		for key := range r {
			if i := s.index(key); i >= 0 {
				l.mapped[i] = true
			} else if key == s.extra && s.extra != "" {
				l.extra = true
			}
		}
	}
	return l
}

type recordInputs struct {
	spec    *spec
	records []map[string]any
	pos     int
}

func (r *recordInputs) bytesRead() int64 { return 0 }

func (r *recordInputs) next(in *input) error {
	if r.pos >= len(r.records) {
		return io.EOF
	}
	rec := r.records[r.pos]
	r.pos++
	in.line, in.problems, in.extra = r.pos, nil, nil
	clear(in.values)
	keys := make([]string, 0, len(rec))
	for k := range rec {
		keys = append(keys, k)
	}
	sort.Strings(keys) // problems in a stable order
	for _, key := range keys {
		v := rec[key]
		i := r.spec.index(key)
		switch {
		case i >= 0:
			text, ok := scalarText(v)
			if !ok {
				in.problems = append(in.problems, problemOf(Problem{Line: in.line, Field: key},
					msg.New("imports.not_scalar")))
			}
			in.values[i] = text
		case key == r.spec.extra && r.spec.extra != "":
			obj, ok := v.(map[string]any)
			if !ok && v != nil {
				in.problems = append(in.problems, problemOf(Problem{Line: in.line, Field: key}, msg.New("imports.not_object")))
			}
			in.extra = obj
		default:
			in.problems = append(in.problems, problemOf(Problem{Line: in.line, Field: key},
				msg.New("imports.not_field", string(r.spec.dataset), r.spec.fieldList(r.spec.extra))))
		}
	}
	return nil
}

// scalarText is a JSON value as the text a file's cell would hold.
func scalarText(v any) (string, bool) {
	switch v := v.(type) {
	case nil:
		return "", true
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case float64: // an INN sent as a number still has all its digits: float64 holds 15 exactly
		return strconv.FormatFloat(v, 'f', -1, 64), true
	case int:
		return strconv.Itoa(v), true
	case int64:
		return strconv.FormatInt(v, 10), true
	case bool:
		return strconv.FormatBool(v), true
	case time.Time:
		return v.Format(time.RFC3339Nano), true
	}
	return "", false
}
