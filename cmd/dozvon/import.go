package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"dozvon/campaigns/imports"
	"dozvon/internal/auth"
	"dozvon/internal/config"
)

const importUsage = `usage: dozvon import DATASET FILE [-encoding cp1251|utf8|auto] [-delimiter ';'|','|auto] [-map "Колонка=field,..."] [-dry-run]
  DATASET is clients, applications or events; FILE is CSV or XLSX`

// importCommand loads a file from the shell as the upload page does: it shows how the file was read and mapped,
// a progress line, and every rejected row by line and field. It fails only when the file cannot be read at all
// (or the database fails); rejected rows are the report, not an error.
func importCommand(ctx context.Context, cfg *config.Config, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, importUsage); fs.PrintDefaults() }
	encoding := fs.String("encoding", "auto", "the CSV file's encoding: utf8, cp1251 or auto")
	delimiter := fs.String("delimiter", "auto", "the CSV delimiter: ';', ',', tab or auto")
	mapping := fs.String("map", "", `columns to map differently from the suggestion, e.g. "Код=external_id,Примечание=skip"`)
	dryRun := fs.Bool("dry-run", false, "check everything and count what would change, but save nothing")
	positional, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(positional) != 2 {
		return errors.New(importUsage)
	}
	opts, err := importOptions(positional[0], *encoding, *delimiter, *dryRun)
	if err != nil {
		return err
	}
	path := positional[1]
	opts.FileName = filepath.Base(path)

	// The preview reads the header and suggests the mapping that -map amends; it needs no database.
	preview, err := previewFile(path, opts)
	if err != nil {
		return err
	}
	if opts.Mapping, err = amendMapping(preview.Mapping, preview.Headers, *mapping); err != nil {
		return err
	}
	printPreview(stdout, opts.FileName, preview, opts.Mapping)

	db, err := openDatabase(ctx, cfg, newLogger(cfg, stderr), true)
	if err != nil {
		return err
	}
	defer db.Close()
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	progress := newProgressLine(stderr, f)
	opts.Progress = progress.show
	rep, err := imports.Import(ctx, db.Pool, f, opts)
	progress.end()
	if rep.JobID != 0 {
		printReport(stdout, opts.FileName, rep)
		_ = auth.NewStore(db.Pool).Audit(ctx, auth.Entry{Actor: "cli", Action: "import." + string(rep.Dataset),
			Object: opts.FileName, Detail: map[string]any{"import": rep.JobID, "rows": rep.Rows,
				"inserted": rep.Inserted, "updated": rep.Updated, "rejected": rep.Rejected, "dry_run": rep.DryRun}})
	}
	return err
}

func importOptions(dataset, encoding, delimiter string, dryRun bool) (imports.Options, error) {
	d, err := imports.ParseDataset(dataset)
	if err != nil {
		return imports.Options{}, err
	}
	enc, err := imports.ParseEncoding(encoding)
	if err != nil {
		return imports.Options{}, err
	}
	delim, err := imports.ParseDelimiter(delimiter)
	if err != nil {
		return imports.Options{}, err
	}
	return imports.Options{Dataset: d, Encoding: enc, Delimiter: delim, DryRun: dryRun}, nil
}

func previewFile(path string, opts imports.Options) (imports.FilePreview, error) {
	f, err := os.Open(path)
	if err != nil {
		return imports.FilePreview{}, err
	}
	defer f.Close()
	return imports.Preview(f, opts)
}

// parseInterleaved lets flags come after the arguments, as in "dozvon import clients file.csv -dry-run".
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// amendMapping applies -map "Колонка=field,..." to the suggested mapping; "skip" (or nothing after '=') leaves
// a column out, "extra" keeps it in attributes or payload.
func amendMapping(suggested imports.Mapping, headers []string, spec string) (imports.Mapping, error) {
	m := imports.Mapping{}
	for k, v := range suggested {
		m[k] = v
	}
	for _, pair := range strings.FieldsFunc(spec, func(r rune) bool { return r == ',' || r == ';' }) {
		column, field, ok := strings.Cut(pair, "=")
		column, field = strings.TrimSpace(column), strings.TrimSpace(field)
		if !ok || column == "" {
			return nil, fmt.Errorf("-map: %q is not Колонка=field", pair)
		}
		if _, known := m[column]; !known {
			return nil, fmt.Errorf("-map: the file has no column %q (its columns: %s)", column, strings.Join(headers, ", "))
		}
		if field == "skip" || field == "-" {
			field = imports.Skip
		}
		m[column] = field
	}
	return m, nil
}

func printPreview(w io.Writer, name string, pv imports.FilePreview, m imports.Mapping) {
	how := string(pv.Format)
	if pv.Format == imports.FormatCSV {
		how += fmt.Sprintf(", %s, delimiter %q", pv.Encoding, pv.Delimiter)
	}
	fmt.Fprintf(w, "%s (%s): %s\n", name, how, pv.Dataset)
	for _, h := range pv.Headers {
		switch m[h] {
		case imports.Skip:
			fmt.Fprintf(w, "  %s → skipped\n", h)
		default:
			fmt.Fprintf(w, "  %s → %s\n", h, m[h])
		}
	}
}

// progressLine reports rows and the share of the file read, at most once a second: on a terminal it rewrites
// one line, elsewhere it adds lines.
type progressLine struct {
	w        io.Writer
	size     int64
	terminal bool
	shown    bool
	last     time.Time
}

func newProgressLine(w io.Writer, f *os.File) *progressLine {
	p := &progressLine{w: w}
	if st, err := f.Stat(); err == nil {
		p.size = st.Size()
	}
	if out, ok := w.(*os.File); ok {
		st, err := out.Stat()
		p.terminal = err == nil && st.Mode()&os.ModeCharDevice != 0
	}
	return p
}

func (p *progressLine) show(rows, bytes int64) {
	if time.Since(p.last) < time.Second {
		return
	}
	p.last, p.shown = time.Now(), true
	end := "\n"
	if p.terminal {
		end = "\r"
	}
	if p.size > 0 && bytes > 0 {
		fmt.Fprintf(p.w, "%d rows read (%d%%)%s", rows, bytes*100/p.size, end)
	} else {
		fmt.Fprintf(p.w, "%d rows read%s", rows, end)
	}
}

// end moves past a line that was being rewritten.
func (p *progressLine) end() {
	if p.shown && p.terminal {
		fmt.Fprintln(p.w)
	}
}

func printReport(w io.Writer, name string, rep imports.Report) {
	rate := ""
	if s := rep.Duration.Seconds(); s > 0 {
		rate = fmt.Sprintf(", %.0f rows/s", float64(rep.Rows)/s)
	}
	fmt.Fprintf(w, "import %d: %d rows — %d inserted, %d updated, %d unchanged, %d rejected (%s%s)\n",
		rep.JobID, rep.Rows, rep.Inserted, rep.Updated, rep.Unchanged, rep.Rejected,
		rep.Duration.Round(time.Millisecond), rate)
	if len(rep.Problems) > 0 {
		fmt.Fprintf(w, "problems in %s:\n", name)
	}
	for _, p := range rep.Problems {
		fmt.Fprintf(w, "  %s\n", p)
	}
	if more := rep.ProblemCount - int64(len(rep.Problems)); more > 0 {
		fmt.Fprintf(w, "  … and %d more problems not shown\n", more)
	}
	if rep.DryRun {
		fmt.Fprintln(w, "dry run: nothing was saved")
	}
}
