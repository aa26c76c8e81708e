package imports

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
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

func (e *readError) Error() string { return fmt.Sprintf("line %d: %v", e.line, e.err) }

// openTable detects the file's format, encoding and delimiter (unless opts gives them) and reads the header.
func openTable(r io.Reader, opts Options) (table, fileInfo, error) {
	cr := &countingReader{r: r}
	br := bufio.NewReaderSize(cr, sniffLen)
	head, err := br.Peek(sniffLen)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fileInfo{}, fmt.Errorf("imports: read the file: %w", err)
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
	return nil, fileInfo{}, fmt.Errorf("imports: unknown format %q (want csv or xlsx)", format)
}

var errEmpty = errors.New("imports: the file is empty")

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
