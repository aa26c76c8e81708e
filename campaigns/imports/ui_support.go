package imports

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
)

// What screens need besides Preview and the history: which extra data a dataset keeps, and the problems of an
// import as a file a manager opens in Excel.

// ExtraColumn names where a dataset keeps columns mapped to Extra — "attributes" for clients, "payload" for
// events — or is "" for a dataset that keeps no extra data (applications), whose screens offer no Extra.
func ExtraColumn(d Dataset) string {
	if s := specs[d]; s != nil {
		return s.extra
	}
	return ""
}

// WriteProblemsCSV writes problems as the file a manager downloads to fix the rejected rows: UTF-8 with a byte
// order mark and ';', which Russian Excel opens as is. A value that Excel would take for a formula (=, +, -, @
// first) is written with a leading apostrophe: the values come from the uploaded file, and a cell such as
// =HYPERLINK(...) must stay text on the manager's computer.
func WriteProblemsCSV(w io.Writer, problems []Problem) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	_ = cw.Write([]string{"line", "field", "column", "value", "reason"})
	for _, p := range problems {
		_ = cw.Write([]string{strconv.Itoa(p.Line), p.Field, inert(p.Column), inert(p.Value), p.Reason})
	}
	cw.Flush()
	return cw.Error()
}

// inert keeps a spreadsheet from evaluating a cell.
func inert(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
