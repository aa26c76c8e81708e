// Package csvx is the one CSV writer for every file Dozvon hands out (invitations, callback tasks, an import's
// problems): UTF-8 with a byte order mark and ';' between cells, as Russian Excel opens a file without asking,
// and no cell a spreadsheet would evaluate. The cells come from clients, operators and the bank's files, so a
// value such as =HYPERLINK(...) or @SUM(...) must stay text on whoever opens the file.
package csvx

import (
	"encoding/csv"
	"io"
	"strings"
)

// Writer writes one CSV file. The first Write puts the byte order mark first.
type Writer struct {
	w       io.Writer
	cw      *csv.Writer
	started bool
	cells   []string
}

// NewWriter returns a Writer on w.
func NewWriter(w io.Writer) *Writer {
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	return &Writer{w: w, cw: cw}
}

// Write writes one row, each cell made inert.
func (w *Writer) Write(cells ...string) error {
	if err := w.bom(); err != nil {
		return err
	}
	w.cells = w.cells[:0]
	for _, c := range cells {
		w.cells = append(w.cells, Inert(c))
	}
	return w.cw.Write(w.cells)
}

// Flush writes what is buffered and reports the first error of any Write.
func (w *Writer) Flush() error {
	if err := w.bom(); err != nil { // a file with no rows is still one Excel opens as UTF-8
		return err
	}
	w.cw.Flush()
	return w.cw.Error()
}

func (w *Writer) bom() error {
	if w.started {
		return nil
	}
	w.started = true
	_, err := io.WriteString(w.w, "\ufeff")
	return err
}

// Inert keeps a spreadsheet from evaluating a cell: one that starts with what Excel, LibreOffice or Google
// Sheets read as the start of a formula (=, +, -, @, a tab or a carriage return) gets a leading apostrophe,
// which they show as nothing and read as "this is text". E.164 phones (+7...) are prefixed too, which also keeps
// Excel from turning them into numbers without their plus.
func Inert(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
