package imports_test

import (
	"bytes"
	"testing"

	"dozvon/campaigns/imports"
)

// The sample a manager downloads is a file the engine reads as it is: every header maps to its field, nothing is
// missing, and no row has a problem.
func TestEachDatasetsSampleFileLoadsAsItIs(t *testing.T) {
	for _, d := range imports.Datasets {
		var file bytes.Buffer
		if err := imports.WriteSample(&file, d); err != nil {
			t.Fatal(err)
		}
		pv, err := imports.Preview(bytes.NewReader(file.Bytes()), imports.Options{Dataset: d})
		if err != nil {
			t.Fatalf("%s: %v", d, err)
		}
		if len(pv.Missing) != 0 || len(pv.Rows) != 2 {
			t.Errorf("%s: missing %v, %d rows; want none missing and 2 rows", d, pv.Missing, len(pv.Rows))
		}
		for _, row := range pv.Rows {
			if len(row.Problems) != 0 {
				t.Errorf("%s line %d: %+v", d, row.Line, row.Problems)
			}
		}
		expected := imports.ExpectedColumns(d)
		if len(expected) != len(imports.Fields(d)) || !expected[0].Required {
			t.Errorf("%s: expected columns %+v", d, expected)
		}
		for _, c := range expected {
			if c.Header != "" && pv.Mapping[c.Header] != c.Field {
				t.Errorf("%s: header %q maps to %q, want %s", d, c.Header, pv.Mapping[c.Header], c.Field)
			}
		}
	}
}
