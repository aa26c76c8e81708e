package imports

import (
	"errors"
	"io"
	"strings"
	"time"
)

// PreviewRows is how many data rows Preview checks.
const PreviewRows = 10

// FilePreview is what a manager sees before importing a file: how it was read, how its columns map, and the first
// rows as they would load.
type FilePreview struct {
	Dataset   Dataset     `json:"dataset"`
	Format    Format      `json:"format"`
	Encoding  Encoding    `json:"encoding,omitempty"`
	Delimiter string      `json:"delimiter,omitempty"`
	Headers   []string    `json:"headers"`
	Mapping   Mapping     `json:"mapping"` // opts.Mapping, or the suggestion
	Fields    []FieldInfo `json:"fields"`  // what a column may map to, besides Skip and Extra
	// Missing lists required fields no column maps to; Import refuses the file until the mapping has them.
	Missing []string     `json:"missing"`
	Rows    []PreviewRow `json:"rows"`
}

// PreviewRow is one row of the file, checked.
type PreviewRow struct {
	Line  int      `json:"line"`
	Cells []string `json:"cells"` // as in the file, one per header
	// Values is what each field would store, as text (dates in RFC 3339, lists joined with ", "): all fields for
	// a good row, derived ones included, and the good fields of a rejected row.
	Values   map[string]string `json:"values"`
	Problems []Problem         `json:"problems"`
}

// Preview reads the start of a file: it detects the format, encoding and delimiter (unless opts gives them),
// suggests a mapping (unless opts.Mapping is set) and checks the first PreviewRows rows. Nothing touches the
// database, so references to clients and applications are checked only by Import.
func Preview(r io.Reader, opts Options) (FilePreview, error) {
	s, err := specFor(opts.Dataset)
	if err != nil {
		return FilePreview{}, err
	}
	t, info, err := openTable(r, opts)
	if err != nil {
		return FilePreview{}, err
	}
	defer t.close()
	pv := FilePreview{Dataset: s.dataset, Format: info.format, Encoding: info.encoding, Delimiter: info.delimiter,
		Headers: t.header(), Mapping: opts.Mapping, Fields: Fields(s.dataset), Rows: []PreviewRow{}}
	if pv.Mapping == nil {
		pv.Mapping = Suggest(s.dataset, t.header())
	}
	cm, missing, err := s.resolve(pv.Mapping, t.header())
	if err != nil {
		return FilePreview{}, err
	}
	pv.Missing = append([]string{}, missing...)
	p := newParser(s, cm.layout, opts.Location, info.format == FormatXLSX)
	src := &fileInputs{t: t, fieldOf: cm.fieldOf, header: t.header()}
	in := &input{values: make([]string, len(s.fields))}
	for len(pv.Rows) < PreviewRows {
		line, cells, err := t.next()
		var unreadable *readError
		switch {
		case errors.Is(err, io.EOF):
			return pv, nil
		case errors.As(err, &unreadable):
			pv.Rows = append(pv.Rows, PreviewRow{Line: unreadable.line, Cells: []string{}, Values: map[string]string{},
				Problems: []Problem{problemOf(Problem{Line: unreadable.line}, unreadable.stopped())}})
			return pv, nil
		case err != nil:
			return FilePreview{}, err
		}
		src.fill(in, line, cells)
		pv.Rows = append(pv.Rows, p.previewRow(in, cells, len(t.header())))
	}
	return pv, nil
}

func (p *parser) previewRow(in *input, cells []string, width int) PreviewRow {
	row := PreviewRow{Line: in.line, Cells: make([]string, width), Values: map[string]string{}, Problems: []Problem{}}
	for i, c := range cells[:min(len(cells), width)] { // cells belongs to the reader
		row.Cells[i] = strings.ToValidUTF8(c, "\uFFFD") // shown as text; the value's problem says what is wrong
	}
	vals, problems := p.fields(in)
	if len(problems) == 0 {
		vals, _ = p.check(in)
	}
	row.Problems = append(row.Problems, problems...)
	present := p.spec.present(p.layout.mapped)
	for i, f := range p.spec.fields {
		if present[i] && (vals[i] != nil || len(problems) == 0) {
			row.Values[f.name] = previewText(vals[i])
		}
	}
	if p.layout.extra && len(problems) == 0 {
		row.Values[p.spec.extra] = previewText(vals[len(p.spec.fields)])
	}
	return row
}

func previewText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case time.Time:
		return v.Format(time.RFC3339)
	case []string:
		return strings.Join(v, ", ")
	case []byte:
		return string(v)
	}
	return ""
}
