package imports

import (
	"archive/zip"
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"sync/atomic"

	"dozvon/internal/msg"
)

// table is a file's rows: the header, then the data rows one at a time.
type table interface {
	header() []string
	// next returns the next data row with its line (or spreadsheet row) number; io.EOF at the end. Blank rows
	// are skipped. cells is only valid until the following call.
	next() (line int, cells []string, err error)
	// bytesRead is how much of the file has been read so far (0 for XLSX, which is read whole at open).
	bytesRead() int64
	close() error
}

// fileInfo is what detection found, or what the caller said.
type fileInfo struct {
	format    Format
	encoding  Encoding
	delimiter string
}

// readError is a row the file's syntax does not let us read (a CSV quote that never closes): the import keeps
// what it read before, and the report says where reading stopped.
type readError struct {
	line int
	err  error
}

func (e *readError) Error() string { return msg.English(e.msg()) }

// msg is where and why reading stopped: the CSV reader's mistakes have codes, other readers keep their words.
func (e *readError) msg() *msg.Error {
	return msg.Wrap(e.err, "imports.line", e.line, readProblem(e.err))
}

// stopped is the problem of the row where reading stopped.
func (e *readError) stopped() *msg.Error {
	return msg.Wrap(e.err, "imports.stopped_here", readProblem(e.err))
}

// readProblem is a reader's error as a message.
func readProblem(err error) *msg.Error {
	if m, ok := msg.As(err); ok {
		return m
	}
	if re := (*readError)(nil); errors.As(err, &re) {
		return re.msg()
	}
	for _, known := range []struct {
		err  error
		code string
	}{{csv.ErrQuote, "imports.csv_quote"}, {csv.ErrBareQuote, "imports.csv_bare_quote"},
		{csv.ErrFieldCount, "imports.csv_field_count"}, {io.ErrUnexpectedEOF, "imports.unexpected_eof"},
		{zip.ErrFormat, "imports.not_zip"}, {context.Canceled, "imports.canceled"},
		{context.DeadlineExceeded, "imports.deadline"}} {
		if errors.Is(err, known.err) {
			return msg.New(known.code)
		}
	}
	return msg.New("imports.detail", err.Error())
}

// openTable detects the file's format, encoding and delimiter (unless opts gives them) and reads the header.
func openTable(r io.Reader, opts Options) (table, fileInfo, error) {
	cr := &countingReader{r: r}
	br := bufio.NewReaderSize(cr, sniffLen)
	head, err := br.Peek(sniffLen)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fileInfo{}, msg.Wrap(err, "imports.read_file", readProblem(err))
	}
	if len(head) == 0 {
		return nil, fileInfo{}, errEmpty
	}
	format := opts.Format
	if format == "" {
		if format, err = sniffFormat(head); err != nil {
			return nil, fileInfo{}, err
		}
	}
	switch format {
	case FormatCSV:
		if err := sniffBinary(head); err != nil {
			return nil, fileInfo{}, err
		}
		return openCSV(br, cr, head, len(head) < sniffLen, opts)
	case FormatXLSX:
		return openXLSX(br)
	}
	return nil, fileInfo{}, msg.New("imports.unknown_format", string(format))
}

var errEmpty = msg.New("imports.empty")

// countingReader counts the bytes read from the file, for progress.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}
