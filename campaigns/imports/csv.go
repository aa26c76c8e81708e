package imports

import (
	"bufio"
	"cmp"
	"encoding/csv"
	"errors"
	"io"
	"strings"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"dozvon/internal/msg"
)

// csvTable reads a CSV file through encoding/csv, decoded to UTF-8 on the way.
type csvTable struct {
	r   *csv.Reader
	raw *countingReader
	hdr []string
}

func openCSV(br *bufio.Reader, raw *countingReader, head []byte, complete bool, opts Options) (table, fileInfo, error) {
	info := fileInfo{format: FormatCSV, encoding: opts.Encoding, delimiter: opts.Delimiter}
	bom := 0
	if info.encoding == "" {
		info.encoding, bom = sniffEncoding(head, complete)
	} else if info.encoding == UTF8 && strings.HasPrefix(string(head), "\xEF\xBB\xBF") {
		bom = 3
	}
	if _, err := br.Discard(bom); err != nil {
		return nil, info, msg.Wrap(err, "imports.read_file", readProblem(err))
	}
	text, err := decoder(br, info.encoding)
	if err != nil {
		return nil, info, err
	}
	// Peek the decoded start to find the delimiter; csv.Reader reuses this bufio.Reader, so nothing is lost.
	decoded := bufio.NewReaderSize(text, sniffLen)
	start, err := decoded.Peek(sniffLen)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, info, msg.Wrap(err, "imports.read_file_as", string(info.encoding), readProblem(err))
	}
	delim, skipSep := sniffDelimiter(start)
	if delim == "" && len(start) < sniffLen {
		return nil, info, errEmpty // nothing but blank lines
	}
	if info.delimiter == "" {
		info.delimiter = cmp.Or(delim, ",")
	}
	t := &csvTable{r: csv.NewReader(decoded), raw: raw}
	t.r.Comma = []rune(info.delimiter)[0]
	t.r.LazyQuotes = true // ООО "Ромашка" without quoting the field: common, and unambiguous enough
	t.r.FieldsPerRecord = -1
	t.r.ReuseRecord = true
	if skipSep {
		if _, err := t.r.Read(); err != nil {
			return nil, info, msg.Wrap(err, "imports.read_file", readProblem(err))
		}
	}
	_, cells, err := t.next()
	if errors.Is(err, io.EOF) {
		return nil, info, errEmpty
	}
	if err != nil {
		return nil, info, msg.Wrap(err, "imports.read_header", readProblem(err))
	}
	t.hdr = uniqueHeaders(cells)
	return t, info, nil
}

func decoder(r io.Reader, enc Encoding) (io.Reader, error) {
	switch enc {
	case UTF8:
		return r, nil
	case CP1251:
		return transform.NewReader(r, charmap.Windows1251.NewDecoder()), nil
	case UTF16LE:
		return transform.NewReader(r, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder()), nil
	case UTF16BE:
		return transform.NewReader(r, unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewDecoder()), nil
	}
	return nil, msg.New("imports.unknown_encoding", string(enc))
}

func (t *csvTable) header() []string { return t.hdr }
func (t *csvTable) bytesRead() int64 { return t.raw.n.Load() }
func (t *csvTable) close() error     { return nil }

func (t *csvTable) next() (int, []string, error) {
	for {
		cells, err := t.r.Read()
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return 0, nil, &readError{line: pe.StartLine, err: pe.Err}
			}
			if errors.Is(err, io.EOF) {
				return 0, nil, io.EOF
			}
			return 0, nil, msg.Wrap(err, "imports.read_file", readProblem(err))
		}
		if !blank(cells) {
			line, _ := t.r.FieldPos(0)
			return line, cells, nil
		}
	}
}

// blank is a row of empty cells: spreadsheets export ";;;;" for rows that once had formatting.
func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}
