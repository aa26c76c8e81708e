package imports

import (
	"fmt"
	"sort"
	"time"
	"unicode/utf8"

	"dozvon/internal/msg"
)

// MaxProblems is how many problems a Report and the import history keep in detail; ProblemCount counts them all.
// A file with a systematic fault (a wrong encoding, a shifted column) would otherwise carry one per row.
const MaxProblems = 1000

// Problem is why a row was not loaded: which line (or, for JSON records, which record, from 1), which field, the
// value as written and what is wrong with it.
type Problem struct {
	Line   int    `json:"line"`
	Field  string `json:"field"`
	Column string `json:"column,omitempty"` // the file's column the field was mapped from
	Value  string `json:"value,omitempty"`
	Reason string `json:"reason"` // in English
	// Msg is the reason for a person, rendered in their language; nil in problems kept before it existed.
	Msg *msg.Error `json:"msg,omitempty"`
}

// problemOf is p with its reason.
func problemOf(p Problem, reason *msg.Error) Problem {
	p.Reason, p.Msg = msg.English(reason), reason
	return p
}

// String reads like `line 17, field inn: "77071234" is not 10 or 12 digits`.
func (p Problem) String() string {
	where := fmt.Sprintf("line %d", p.Line)
	if p.Field != "" {
		where += ", field " + p.Field
	}
	if p.Value == "" {
		return where + ": " + p.Reason
	}
	return fmt.Sprintf("%s: %q %s", where, p.Value, p.Reason)
}

// Report is what an import did.
type Report struct {
	JobID     int64    `json:"job_id"`
	Dataset   Dataset  `json:"dataset"`
	DryRun    bool     `json:"dry_run"`
	Format    Format   `json:"format,omitempty"`
	Encoding  Encoding `json:"encoding,omitempty"`
	Delimiter string   `json:"delimiter,omitempty"`
	// Rows counts the data rows read (not the header, not blank rows); each ends up in exactly one of the four
	// counts below. A row that repeats an external_id of an earlier row counts as Updated.
	Rows      int64 `json:"rows"`
	Inserted  int64 `json:"inserted"`
	Updated   int64 `json:"updated"`
	Unchanged int64 `json:"unchanged"`
	Rejected  int64 `json:"rejected"`
	// Problems are the first MaxProblems, by line; a rejected row may have several.
	Problems     []Problem     `json:"problems"`
	ProblemCount int64         `json:"problem_count"`
	Duration     time.Duration `json:"duration_ns"`
}

func (r *Report) addProblems(ps []Problem) {
	r.ProblemCount += int64(len(ps))
	if room := MaxProblems - len(r.Problems); room > 0 {
		r.Problems = append(r.Problems, ps[:min(room, len(ps))]...)
	}
}

// clip keeps a value short enough to show in a problem: a shifted column can put a whole address in an INN.
func clip(s string) string {
	const max = 100
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func (r *Report) add(b *batch, res batchResult) {
	good := int64(len(b.rows) - len(res.unknown))
	r.Rows += b.read
	r.Rejected += b.rejected + int64(len(res.unknown))
	r.Inserted += res.inserted
	r.Updated += res.updated + b.merged
	r.Unchanged += good - res.inserted - res.updated
	problems := append(b.problems, res.unknown...)
	sort.SliceStable(problems, func(i, j int) bool { return problems[i].Line < problems[j].Line })
	r.addProblems(problems)
}
