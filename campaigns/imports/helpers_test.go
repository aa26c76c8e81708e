package imports_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/text/encoding/charmap"

	"dozvon/campaigns/imports"
	"dozvon/internal/pg/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// Valid INNs (their check digits agree): companies have 10 digits, sole proprietors 12.
const (
	innSber      = "7707083893" // Moscow
	innPiter     = "7800123452"
	innPrimorye  = "2540123459"
	innAdygea    = "0105123458" // starts with 0, which Excel drops
	innIPMoscow  = "772212345653"
	innIPPrimore = "253698765449"
)

// load imports a file and fails the test if the import fails; it checks that every row was counted once.
func load(t *testing.T, pool *pgxpool.Pool, data []byte, opts imports.Options) imports.Report {
	t.Helper()
	rep, err := imports.Import(context.Background(), pool, bytes.NewReader(data), opts)
	if err != nil {
		t.Fatalf("import %s: %v", opts.Dataset, err)
	}
	checkCounts(t, rep)
	return rep
}

func checkCounts(t *testing.T, rep imports.Report) {
	t.Helper()
	if sum := rep.Inserted + rep.Updated + rep.Unchanged + rep.Rejected; sum != rep.Rows {
		t.Errorf("report counts %d rows but inserted+updated+unchanged+rejected = %d: %+v", rep.Rows, sum, rep)
	}
}

// csvText turns lines into a UTF-8 file.
func csvText(lines ...string) []byte { return []byte(strings.Join(lines, "\n") + "\n") }

// cp1251 turns lines into the bytes Russian Excel saves as "CSV (разделители — точка с запятой)": Windows-1251
// with CRLF line ends.
func cp1251(t testing.TB, lines ...string) []byte {
	t.Helper()
	b, err := charmap.Windows1251.NewEncoder().String(strings.Join(lines, "\r\n") + "\r\n")
	if err != nil {
		t.Fatalf("encode as Windows-1251: %v", err)
	}
	return []byte(b)
}

func problemLines(rep imports.Report) []string {
	out := make([]string, len(rep.Problems))
	for i, p := range rep.Problems {
		out[i] = p.String()
	}
	return out
}

func sameLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\ngot:\n  %s\nwant:\n  %s", what, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

type counts struct{ rows, inserted, updated, unchanged, rejected int64 }

func checkReport(t *testing.T, rep imports.Report, want counts) {
	t.Helper()
	got := counts{rep.Rows, rep.Inserted, rep.Updated, rep.Unchanged, rep.Rejected}
	if got != want {
		t.Errorf("rows, inserted, updated, unchanged, rejected = %+v, want %+v", got, want)
	}
}

// client is a clients row as campaigns will read it.
type client struct {
	INN, Phone                                        *string
	CompanyName, LegalForm, ContactName, Email, Okved string
	OkvedExtra                                        []string
	Region, Timezone, Segment                         string
	Attributes                                        map[string]any
}

func clientByExternalID(t *testing.T, pool *pgxpool.Pool, id string) client {
	t.Helper()
	var c client
	err := pool.QueryRow(context.Background(), `
		SELECT inn, phone, company_name, legal_form, contact_name, email, okved, okved_extra, region, timezone,
		       segment, attributes
		FROM clients WHERE external_id = $1`, id).Scan(&c.INN, &c.Phone, &c.CompanyName, &c.LegalForm,
		&c.ContactName, &c.Email, &c.Okved, &c.OkvedExtra, &c.Region, &c.Timezone, &c.Segment, &c.Attributes)
	if err != nil {
		t.Fatalf("client %s: %v", id, err)
	}
	return c
}

func countRows(t *testing.T, pool *pgxpool.Pool, table string) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func ptr(s string) *string { return &s }

func str(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}

// twoClients is a small clients file the application and event tests start from.
var twoClients = csvText(
	"external_id,inn,company_name,phone",
	"C-1,"+innSber+",ООО «Ромашка»,+79181234567",
	"C-2,"+innIPMoscow+",ИП Петров П.П.,+79167654321",
)
