package imports

import (
	"context"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"dozvon/internal/msg"
)

// Options says what a file holds and how to read it; what is left empty is detected.
type Options struct {
	Dataset   Dataset
	Format    Format   // "": from the content (a zip is XLSX)
	Encoding  Encoding // "": UTF-8 if the start of the file is valid UTF-8, else Windows-1251
	Delimiter string   // "": whichever of ; , tab | the header line has most of
	Mapping   Mapping  // nil: Suggest's
	// Location is the zone of dates written without one; nil means Moscow time, as the bank's systems write.
	Location *time.Location
	// For the history: the file's name, and who started the import (0: nobody, e.g. the command line).
	FileName        string
	UserID, TokenID int64
	// DryRun checks everything, the references and the counts included, and saves nothing. Its counts are
	// exact, except that a record repeated in a later batch of the file counts as inserted again.
	DryRun bool
	// BatchSize is how many rows go to PostgreSQL at a time; 0 means DefaultBatchSize. An import holds one of
	// the pool's connections while it runs.
	BatchSize int
	// Deprecated: ignored; an import always loads through one connection. Kept only until operator-ui stops
	// setting it.
	Connections int
	// Progress, if set, is called after each batch with the rows and file bytes read so far.
	Progress func(rowsDone, bytesDone int64)
	// Started, if set, is called with the import's id in the history as soon as it has one, so that a page can
	// follow its progress while Import runs.
	Started func(jobID int64)
}

// DefaultBatchSize balances round trips against memory: 20,000 client rows are a few megabytes.
const DefaultBatchSize = 20000

// Import reads a file and loads its good rows, reporting the others by line and field. It fails only when the
// file cannot be read at all (empty, not CSV or XLSX, no header, a required field not mapped) or the database
// fails; the import is recorded in the history either way once it started.
func Import(ctx context.Context, pool *pgxpool.Pool, r io.Reader, opts Options) (Report, error) {
	s, err := specFor(opts.Dataset)
	if err != nil {
		return Report{}, err
	}
	t, info, err := openTable(r, opts)
	if err != nil {
		return Report{}, err
	}
	defer t.close()
	mapping := opts.Mapping
	if mapping == nil {
		mapping = Suggest(s.dataset, t.header())
	}
	cm, missing, err := s.resolve(mapping, t.header())
	if err != nil {
		return Report{}, err
	}
	if len(missing) > 0 {
		return Report{}, msg.New("imports.not_mapped", string(s.dataset), strings.Join(missing, ", "),
			strings.Join(t.header(), ", "))
	}
	rep := Report{Dataset: s.dataset, DryRun: opts.DryRun, Format: info.format, Encoding: info.encoding,
		Delimiter: info.delimiter}
	p := newParser(s, cm.layout, opts.Location, info.format == FormatXLSX)
	return run(ctx, pool, p, &fileInputs{t: t, fieldOf: cm.fieldOf, header: t.header()}, "file", opts, rep)
}

// inputs is where rows come from: a file's table, or JSON records.
type inputs interface {
	// next fills in with the next row; io.EOF at the end.
	next(in *input) error
	bytesRead() int64
}

// fileInputs turns a table's cells into field values through the mapping.
type fileInputs struct {
	t       table
	fieldOf []int
	header  []string
}

func (f *fileInputs) next(in *input) error {
	line, cells, err := f.t.next()
	if err != nil {
		return err
	}
	f.fill(in, line, cells)
	return nil
}

func (f *fileInputs) fill(in *input, line int, cells []string) {
	in.line, in.problems = line, nil
	clear(in.values)
	clear(in.extra)
	for c, i := range f.fieldOf {
		if c >= len(cells) {
			break
		}
		switch {
		case i >= 0:
			in.values[i] = cells[c]
		case i == extraColumn && strings.TrimSpace(cells[c]) != "":
			if in.extra == nil {
				in.extra = map[string]any{}
			}
			in.extra[f.header[c]] = strings.TrimSpace(cells[c])
		}
	}
}

func (f *fileInputs) bytesRead() int64 { return f.t.bytesRead() }

// run records the import in the history, loads it, and records how it ended.
func run(ctx context.Context, pool *pgxpool.Pool, p *parser, src inputs, source string, opts Options, rep Report) (Report, error) {
	began := time.Now()
	id, err := startJob(ctx, pool, p.spec.dataset, source, opts)
	if err != nil {
		return rep, err
	}
	rep.JobID = id
	if opts.Started != nil {
		opts.Started(id)
	}
	err = load(ctx, pool, p, src, opts, &rep)
	if err != nil && ctx.Err() != nil {
		// Where the cancellation struck (a query, a begin, a copy) tells the history nothing.
		err = msg.Wrap(context.Cause(ctx), "imports.stopped", string(p.spec.dataset), readProblem(context.Cause(ctx)))
	}
	rep.Duration = time.Since(began)
	if ferr := finishJob(ctx, pool, id, &rep, src.bytesRead(), err); err == nil {
		err = ferr
	}
	if rep.Problems == nil {
		rep.Problems = []Problem{}
	}
	return rep, err
}
