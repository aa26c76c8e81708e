package imports

import (
	"bytes"
	"fmt"
)

// NotTableError refuses a file that is not a table at all: a picture, a PDF, an archive, a program, or bytes that
// are not text. Read as Windows-1251 (any byte is a character there), such a file would give rows of garbage that
// look fine, so it is refused at the source, with what it seems to be.
type NotTableError struct {
	What string // one of the names in magicNumbers ("png", "pdf", ...), or "binary"
}

func (e *NotTableError) Error() string {
	what := "binary data, not text"
	for _, m := range magicNumbers {
		if m.what == e.What {
			what = m.noun
		}
	}
	return fmt.Sprintf("imports: this file is %s; save the table as CSV or XLSX and upload that", what)
}

// magicNumbers are the first bytes of files people pick by mistake instead of a table.
var magicNumbers = []struct {
	prefix     string
	what, noun string
}{
	{"\x89PNG\r\n\x1a\n", "png", "a PNG picture"},
	{"\xFF\xD8\xFF", "jpeg", "a JPEG picture"},
	{"GIF87a", "gif", "a GIF picture"},
	{"GIF89a", "gif", "a GIF picture"},
	{"RIFF", "riff", "a picture, sound or video (RIFF)"},
	{"II*\x00", "tiff", "a TIFF picture"},
	{"MM\x00*", "tiff", "a TIFF picture"},
	{"%PDF-", "pdf", "a PDF document"},
	{"\x1F\x8B", "gzip", "a gzip archive"},
	{"7z\xBC\xAF\x27\x1C", "7z", "a 7-Zip archive"},
	{"Rar!\x1A\x07", "rar", "a RAR archive"},
	{"\x7FELF", "program", "a program"},
	{"MZ", "program", "a program"},
	{"{\\rtf", "rtf", "an RTF document"},
	{"\x00\x00\x00\x18ftyp", "video", "a video (MP4)"},
	{"\x00\x00\x00\x20ftyp", "video", "a video (MP4)"},
	{"ID3", "audio", "an MP3 sound"},
	{"OggS", "audio", "an Ogg sound"},
}

// sniffBinary refuses a CSV candidate whose first bytes are a known non-text format, or that is not text: more
// than one byte in 32 a control character no text file holds (NUL and the C0 codes but tab, line feed, form feed,
// carriage return, and the Ctrl+Z some old exports end with). A stray NUL in a cell stays the problem of its row.
// A UTF-16 file, which has a NUL in every Latin character, is known by its byte order mark and is not checked.
func sniffBinary(head []byte) error {
	for _, m := range magicNumbers {
		if m.what == "program" && m.prefix == "MZ" && !bytes.Contains(head, []byte{0}) {
			continue // "MZ" may begin a line of text; a program has NULs
		}
		if bytes.HasPrefix(head, []byte(m.prefix)) {
			return &NotTableError{What: m.what}
		}
	}
	if bytes.HasPrefix(head, []byte("\xFF\xFE")) || bytes.HasPrefix(head, []byte("\xFE\xFF")) {
		return nil
	}
	controls := 0
	for _, c := range head {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\f' && c != '\r' && c != 0x1A {
			controls++
		}
	}
	if controls > 0 && controls*32 > len(head) {
		return &NotTableError{What: "binary"}
	}
	return nil
}
