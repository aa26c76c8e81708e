package imports_test

import (
	"bytes"
	"testing"

	"dozvon/campaigns/imports"
)

func TestExtraColumnSaysWhereUnmappedColumnsCanGo(t *testing.T) {
	for d, want := range map[imports.Dataset]string{
		imports.Clients: "attributes", imports.Applications: "", imports.Events: "payload", "widgets": "",
	} {
		if got := imports.ExtraColumn(d); got != want {
			t.Errorf("ExtraColumn(%q) = %q, want %q", d, got, want)
		}
	}
}

func TestProblemsCSVOpensInExcelAndNeverRunsAFormula(t *testing.T) {
	var buf bytes.Buffer
	err := imports.WriteProblemsCSV(&buf, []imports.Problem{
		{Line: 3, Field: "inn", Column: "ИНН", Value: "77071234", Reason: "is not 10 or 12 digits"},
		{Line: 7, Field: "phone", Column: "Телефон", Value: `=HYPERLINK("http://x";"call")`, Reason: "is not a phone number"},
		{Line: 9, Reason: "reading stopped here: bare \" in non-quoted field"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "\ufeffline;field;column;value;reason\n" +
		"3;inn;ИНН;77071234;is not 10 or 12 digits\n" +
		`7;phone;Телефон;"'=HYPERLINK(""http://x"";""call"")";is not a phone number` + "\n" +
		`9;;;;"reading stopped here: bare "" in non-quoted field"` + "\n"
	if got := buf.String(); got != want {
		t.Errorf("CSV:\n%s\nwant:\n%s", got, want)
	}
}
