package imports

import (
	"io"
	"strconv"

	"dozvon/internal/csvx"
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

// WriteProblemsCSV writes problems as the file a manager downloads to fix the rejected rows (csvx: Russian Excel's
// format; the values come from the uploaded file, and a cell such as =HYPERLINK(...) stays text on the manager's
// computer).
func WriteProblemsCSV(w io.Writer, problems []Problem) error {
	cw := csvx.NewWriter(w)
	_ = cw.Write("line", "field", "column", "value", "reason")
	for _, p := range problems {
		_ = cw.Write(strconv.Itoa(p.Line), p.Field, p.Column, p.Value, p.Reason)
	}
	return cw.Flush()
}
