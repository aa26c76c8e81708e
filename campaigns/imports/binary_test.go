package imports_test

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"testing"

	"dozvon/campaigns/imports"
)

// A manager who picks a screenshot instead of the bank's file must be told so: read as Windows-1251, a PNG gave
// rows of garbage marked OK.
func TestAPictureOrOtherBinaryFileIsRefusedNotReadAsText(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 40, 20))
	for x := range 40 {
		img.Set(x, x%20, color.RGBA{200, 30, 30, 255})
	}
	var pic bytes.Buffer
	if err := png.Encode(&pic, img); err != nil {
		t.Fatal(err)
	}
	noise := make([]byte, 4096)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range noise {
		noise[i] = byte(rng.UintN(256))
	}
	for name, c := range map[string]struct {
		data []byte
		what string
		msg  string
	}{
		"PNG":   {pic.Bytes(), "png", "imports: this file is a PNG picture; save the table as CSV or XLSX and upload that"},
		"PDF":   {[]byte("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj"), "pdf", "imports: this file is a PDF document; save the table as CSV or XLSX and upload that"},
		"noise": {noise, "binary", "imports: this file is binary data, not text; save the table as CSV or XLSX and upload that"},
	} {
		for _, dataset := range imports.Datasets {
			_, err := imports.Preview(bytes.NewReader(c.data), imports.Options{Dataset: dataset})
			var notTable *imports.NotTableError
			if !errors.As(err, &notTable) || notTable.What != c.what || err.Error() != c.msg {
				t.Errorf("%s as %s: %v; want %q", name, dataset, err, c.msg)
			}
		}
		// Saying "it is CSV, in Windows-1251" does not make a picture a table either.
		_, err := imports.Preview(bytes.NewReader(c.data), imports.Options{Dataset: imports.Clients,
			Format: imports.FormatCSV, Encoding: imports.CP1251})
		if err == nil || err.Error() != c.msg {
			t.Errorf("%s forced to CSV: %v; want %q", name, err, c.msg)
		}
	}
}

func TestAStrayNULInATableIsStillTheProblemOfItsRow(t *testing.T) {
	file := "external_id;company_name\nC-1;ООО «Ромашка»\nC-2;ООО «Лю\x00тик»\n"
	pv, err := imports.Preview(bytes.NewReader([]byte(file)), imports.Options{Dataset: imports.Clients})
	if err != nil {
		t.Fatalf("a table with one NUL refused: %v", err)
	}
	if len(pv.Rows) != 2 || len(pv.Rows[0].Problems) != 0 || len(pv.Rows[1].Problems) != 1 ||
		pv.Rows[1].Problems[0].Field != "company_name" {
		t.Errorf("rows %+v; want the second row's company_name marked", pv.Rows)
	}
}
