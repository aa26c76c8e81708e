package imports_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"dozvon/campaigns/imports"
	"dozvon/internal/pg/pgtest"
)

// BenchmarkImportMillionClients imports a CSV file of a million clients into an empty database — detection,
// checks, COPY, insert and update, with the time zone derived per row — and then again over the loaded table,
// where nothing changed (a daily export). The file is written first, untimed.
//
//	go test -run XXX -bench ImportMillionClients -benchtime 1x ./campaigns/imports/
func BenchmarkImportMillionClients(b *testing.B) {
	const rows = 1_000_000
	path := filepath.Join(b.TempDir(), "clients.csv")
	size := writeClients(b, path, rows)
	for _, again := range []bool{false, true} {
		name := map[bool]string{false: "first", true: "reimport-unchanged"}[again]
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				pool := pgtest.NewDB(b)
				opts := imports.Options{Dataset: imports.Clients}
				if again {
					importFile(b, pool, path, opts)
				}
				b.StartTimer()
				began := time.Now()
				rep := importFile(b, pool, path, opts)
				took := time.Since(began)
				b.StopTimer()
				if done := map[bool]int64{false: rep.Inserted, true: rep.Unchanged}[again]; done != rows {
					b.Fatalf("%+v", rep)
				}
				b.ReportMetric(float64(rows)/took.Seconds(), "rows/s")
				b.ReportMetric(float64(size)/took.Seconds()/1e6, "MB/s")
				pool.Close()
				b.StartTimer()
			}
		})
	}
}

func importFile(b *testing.B, pool *pgxpool.Pool, path string, opts imports.Options) imports.Report {
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	rep, err := imports.Import(context.Background(), pool, f, opts)
	if err != nil {
		b.Fatal(err)
	}
	return rep
}

// writeClients writes n clients as a bank's export would have them, with valid INNs and phones.
func writeClients(b *testing.B, path string, n int) int64 {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, "external_id;inn;company_name;legal_form;contact_name;phone;email;okved;region;segment")
	regions := []string{"г. Москва", "Санкт-Петербург", "Новосибирская область", "Приморский край", "Свердловская область"}
	okveds := []string{"47.91", "56.10", "62.01", "43.21", "49.41"}
	for i := 0; i < n; i++ {
		fmt.Fprintf(w, "CL-%07d;%s;ООО «Компания %d»;ООО;Иван Петров;8 (9%02d) %03d-%02d-%02d;client%d@example.ru;%s;%s;small\n",
			i, inn10(770000000+i%9999999), i, i%100, i%1000, i%100, (i/100)%100, i, okveds[i%len(okveds)], regions[i%len(regions)])
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	st, _ := f.Stat()
	_ = f.Close()
	return st.Size()
}

// inn10 completes nine digits into a 10-digit INN with its check digit.
func inn10(prefix int) string {
	d := fmt.Sprintf("%09d", prefix)
	sum := 0
	for i, w := range []int{2, 4, 10, 3, 5, 9, 4, 6, 8} {
		sum += w * int(d[i]-'0')
	}
	return fmt.Sprintf("%s%d", d, sum%11%10)
}
