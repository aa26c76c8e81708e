package csvx_test

import (
	"bytes"
	"testing"

	"dozvon/internal/csvx"
)

// Every cell a spreadsheet would evaluate reaches the file as text; the rest are written as they are, quoted
// only where CSV needs it.
func TestWriterMakesFormulasInertAndWritesForRussianExcel(t *testing.T) {
	var buf bytes.Buffer
	w := csvx.NewWriter(&buf)
	_ = w.Write("phone", "company", "note")
	_ = w.Write("+79161234567", `=HYPERLINK("https://evil.example","click")`, "@SUM(A1:A9)")
	_ = w.Write("-2+3", "\tcmd", "\r=1")
	_ = w.Write("ООО «Ромашка»; филиал", "7707083893", "a=b")
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "\ufeffphone;company;note\n" +
		`'+79161234567;"'=HYPERLINK(""https://evil.example"",""click"")";'@SUM(A1:A9)` + "\n" +
		"'-2+3;'\tcmd;\"'\r=1\"\n" +
		"\"ООО «Ромашка»; филиал\";7707083893;a=b\n"
	if got := buf.String(); got != want {
		t.Fatalf("file:\n%q\nwant\n%q", got, want)
	}
}

func TestAnEmptyFileStillHasItsByteOrderMark(t *testing.T) {
	var buf bytes.Buffer
	if err := csvx.NewWriter(&buf).Flush(); err != nil || buf.String() != "\ufeff" {
		t.Fatalf("empty file %q, %v", buf.String(), err)
	}
}
