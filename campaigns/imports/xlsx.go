package imports

import (
	"io"

	"github.com/xuri/excelize/v2"

	"dozvon/internal/msg"
)

// xlsxTable streams the first sheet of a workbook. The workbook itself is read whole — a zip file needs random
// access — but the sheet's rows are decoded one at a time, so a million rows do not become a million slices.
type xlsxTable struct {
	f    *excelize.File
	rows *excelize.Rows
	row  int
	hdr  []string
}

// rawCells reads cells as stored rather than as formatted: a date is Excel's day number, which parser.date
// understands, instead of whatever the cell's number format prints (01-02-06 is ambiguous).
var rawCells = excelize.Options{RawCellValue: true}

func openXLSX(r io.Reader) (table, fileInfo, error) {
	info := fileInfo{format: FormatXLSX}
	f, err := excelize.OpenReader(r)
	if err != nil {
		return nil, info, msg.Wrap(err, "imports.open_workbook", readProblem(err))
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		_ = f.Close()
		return nil, info, errEmpty
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		_ = f.Close()
		return nil, info, msg.Wrap(err, "imports.read_named_sheet", sheets[0], readProblem(err))
	}
	t := &xlsxTable{f: f, rows: rows}
	_, cells, err := t.next()
	if err != nil {
		_ = t.close()
		if err == io.EOF {
			return nil, info, errEmpty
		}
		return nil, info, err
	}
	t.hdr = uniqueHeaders(cells)
	return t, info, nil
}

func (t *xlsxTable) header() []string { return t.hdr }
func (t *xlsxTable) bytesRead() int64 { return 0 }

func (t *xlsxTable) next() (int, []string, error) {
	for t.rows.Next() {
		t.row++ // Next steps over rows missing from the sheet too, so this is the spreadsheet's row number
		cells, err := t.rows.Columns(rawCells)
		if err != nil {
			return 0, nil, msg.Wrap(err, "imports.read_row", t.row, readProblem(err))
		}
		if !blank(cells) {
			return t.row, cells, nil
		}
	}
	if err := t.rows.Error(); err != nil {
		return 0, nil, msg.Wrap(err, "imports.read_sheet", readProblem(err))
	}
	return 0, nil, io.EOF
}

func (t *xlsxTable) close() error {
	err := t.rows.Close()
	if cerr := t.f.Close(); err == nil {
		err = cerr
	}
	return err
}
