package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
)

// TestImportCommand loads a Russian Excel export from the shell: the rejected row is reported by line and field
// and the command still succeeds; a dry run counts without saving; a file it cannot use fails with the reason.
func TestImportCommand(t *testing.T) {
	t.Parallel()
	data := newDataDir(t)
	export, err := charmap.Windows1251.NewEncoder().String(strings.Join([]string{
		"Код клиента;ИНН;Наименование;Телефон;Регион;Примечание",
		"К-1;7707083893;ООО «Ромашка»;8 918 123-45-67;г. Москва;VIP",
		"К-2;77071234;ООО «Лютик»;+79181234568;Хабаровский край;",
		"К-3;2540123459;АО «Приморский рыбак»;89241234567;Приморский край;",
	}, "\r\n") + "\r\n")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(data, "clients.csv")
	if err := os.WriteFile(file, []byte(export), 0o644); err != nil {
		t.Fatal(err)
	}

	run := dozvon(t, data, nil, "import", "clients", file, "-map", "Примечание=skip")
	if run.code != 0 {
		t.Fatalf("import: exit %d\n%s", run.code, run.stderr)
	}
	want := `clients.csv (csv, windows-1251, delimiter ";"): clients
  Код клиента → external_id
  ИНН → inn
  Наименование → company_name
  Телефон → phone
  Регион → region
  Примечание → skipped
import 1: 3 rows — 2 inserted, 0 updated, 0 unchanged, 1 rejected (`
	if !strings.HasPrefix(run.stdout, want) ||
		!strings.Contains(run.stdout, "\nproblems in clients.csv:\n  line 3, field inn: \"77071234\" is not 10 or 12 digits\n") {
		t.Errorf("import printed:\n%s\nwant it to start with:\n%s\nand list line 3's INN", run.stdout, want)
	}
	if !strings.Contains(run.stderr, "3 rows read (100%)") {
		t.Errorf("no progress line on stderr:\n%s", run.stderr)
	}

	dry := dozvon(t, data, nil, "import", "-dry-run", "clients", file)
	if dry.code != 0 || !strings.Contains(dry.stdout, "import 2: 3 rows — 0 inserted, 1 updated, 1 unchanged, 1 rejected (") ||
		!strings.HasSuffix(dry.stdout, "dry run: nothing was saved\n") {
		t.Errorf("dry run (К-1 gains the attribute Примечание: VIP): exit %d\n%s", dry.code, dry.stdout)
	}
	again := dozvon(t, data, nil, "import", "clients", file, "-map", "Примечание=skip")
	if !strings.Contains(again.stdout, "import 3: 3 rows — 0 inserted, 0 updated, 2 unchanged, 1 rejected (") {
		t.Errorf("after the dry run, the same import changed something:\n%s", again.stdout)
	}

	for name, c := range map[string]struct {
		args []string
		want string
	}{
		"no such file":    {[]string{"import", "clients", filepath.Join(data, "nope.csv")}, "no such file or directory"},
		"unknown dataset": {[]string{"import", "widgets", file}, `imports: unknown dataset "widgets"`},
		"bad mapping":     {[]string{"import", "clients", file, "-map", "Код клиента=skip"}, "imports: clients: no column is mapped to external_id"},
		"no file":         {[]string{"import", "clients"}, "usage: dozvon import DATASET FILE"},
	} {
		r := dozvon(t, data, nil, c.args...)
		if r.code != 1 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%s: exit %d, want 1 and %q; stderr:\n%s", name, r.code, c.want, r.stderr)
		}
	}
	noPostgresLeft(t, data, "after the import commands")
}
