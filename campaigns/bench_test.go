package campaigns_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"dozvon/campaigns"
	"dozvon/internal/pg/pgtest"
)

// BenchmarkRunEnqueue100kOf1MLeads builds 1,000,000 missed-call leads across four regions; the 100,000 in
// Moscow have a linked chat. It times one run of a campaign for Moscow: the audience query over the million
// leads with every exclusion, then rendering and queueing 100,000 messages with their quiet-hours due times, in
// chunks of 2,000 leads, each its own transaction. Besides the wall time it reports the CPU time the run cost (the PostgreSQL server's processes
// and this one), which the other work on a shared machine changes much less.
func BenchmarkRunEnqueue100kOf1MLeads(b *testing.B) {
	ctx := context.Background()
	pool := pgtest.NewDB(b)
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	loadMillionLeads(b, pool, now)
	store := campaigns.NewStore(pool)
	store.Now = func() time.Time { return now }
	var backend int
	if err := pool.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&backend); err != nil {
		b.Fatal(err)
	}
	postmaster := parentPid(b, backend)
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		c, err := store.Create(ctx, campaigns.Campaign{Name: "Бенчмарк", LeadKind: campaigns.MissedCall,
			Audience: campaigns.Audience{Regions: []string{"Москва"}},
			Template: campaigns.Template{Body: "Здравствуйте, {{.ClientName}}! Мы не дозвонились до <b>{{.Company}}</b>.",
				Buttons: []campaigns.Button{{Text: "Ответить", Action: campaigns.ActionRoute}}}})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		began, cpu0 := time.Now(), cpuSeconds(b, postmaster)
		run, err := store.RunSlot(ctx, c.ID, now.Add(time.Duration(i)*time.Minute), campaigns.TriggerManual)
		took, cpu := time.Since(began), cpuSeconds(b, postmaster)-cpu0
		if err != nil {
			b.Fatal(err)
		}
		if run.Enqueued != 100000 {
			b.Fatalf("enqueued %d", run.Enqueued)
		}
		b.ReportMetric(took.Seconds(), "s/run")
		b.ReportMetric(float64(run.Enqueued)/took.Seconds(), "msg/s")
		b.ReportMetric(cpu, "cpu-s/run")
		b.Logf("run %d: %.2f s, %.2f CPU s, load average %s", i+1, took.Seconds(), cpu, loadAverage())
		b.StopTimer()
		var rows int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE run_id = $1 AND state = 'queued'`, run.ID).Scan(&rows); err != nil || rows != 100000 {
			b.Fatalf("the outbox holds %d queued messages of the run (%v)", rows, err)
		}
		// A run changes no lead (the outbox says who was offered); resetting only what differs keeps the next
		// run from scanning a million dead lead rows that production never has.
		if _, err := pool.Exec(ctx, `DELETE FROM outbox; DELETE FROM invitations; UPDATE leads SET status = 'new' WHERE status <> 'new'`); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

// loadMillionLeads builds 1,000,000 missed-call leads across four regions, eligible a day before now; the 100,000
// clients in Moscow (every tenth client) have a linked chat whose id is the client's.
func loadMillionLeads(b *testing.B, pool *pgxpool.Pool, now time.Time) {
	ctx := context.Background()
	for _, q := range []string{
		`INSERT INTO clients (external_id, company_name, contact_name, phone, okved, region, timezone)
		 SELECT 'b' || i, 'ООО Компания ' || i, 'Клиент ' || i, '+79' || lpad(i::text, 9, '0'), '47.91',
		        CASE WHEN i % 10 = 0 THEN 'Москва' ELSE (ARRAY['Приморский край', 'Свердловская область', 'Калининградская область'])[1 + i % 3] END,
		        CASE WHEN i % 10 = 0 THEN 'Europe/Moscow' ELSE (ARRAY['Asia/Vladivostok', 'Asia/Yekaterinburg', 'Europe/Kaliningrad'])[1 + i % 3] END
		 FROM generate_series(1, 1000000) i`,
		`INSERT INTO applications (external_id, client_id, product, status, submitted_at)
		 SELECT 'a' || id, id, 'rko', 'new', $1::timestamptz - interval '2 days' FROM clients`,
		`INSERT INTO leads (client_id, application_id, kind, eligible_at)
		 SELECT client_id, id, 'missed_call', $1::timestamptz - interval '1 day' FROM applications`,
		`INSERT INTO contacts (channel, bot_id, chat_id, status, linked_via)
		 SELECT 'telegram', (SELECT min(id) FROM bots WHERE channel = 'telegram'), id, 'active', 'deep_link' FROM clients WHERE id % 10 = 0`,
		`INSERT INTO contact_leads (contact_id, lead_id, via)
		 SELECT ct.id, l.id, 'deep_link' FROM contacts ct JOIN leads l ON l.client_id = ct.chat_id`,
		// A database that has been running: vacuumed, hint bits set. Otherwise autovacuum of the freshly loaded
		// tables runs during the timed runs, and the first run writes every page of leads and clients again.
		`VACUUM ANALYZE`,
	} {
		args := []any{}
		if containsParam(q) {
			args = append(args, now)
		}
		if _, err := pool.Exec(ctx, q, args...); err != nil {
			b.Fatalf("%s: %v", q, err)
		}
	}
}

func containsParam(q string) bool {
	for i := 0; i+1 < len(q); i++ {
		if q[i] == '$' && q[i+1] == '1' {
			return true
		}
	}
	return false
}

// On a shared machine the wall time of a run depends on what else runs; the CPU time it costs does much less.
// cpuSeconds is the CPU time used so far by the PostgreSQL server (the postmaster, its live children, and the
// children it has reaped) and by this process.
func cpuSeconds(b *testing.B, postmaster int) float64 {
	ticks := 0
	procs, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, p := range procs {
		f := procStat(p)
		if len(f) < 17 {
			continue
		}
		pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(p)))
		ppid, _ := strconv.Atoi(f[1])
		switch {
		case pid == postmaster:
			ticks += atoi(f[11]) + atoi(f[12]) + atoi(f[13]) + atoi(f[14])
		case ppid == postmaster:
			ticks += atoi(f[11]) + atoi(f[12])
		}
	}
	var self syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &self); err != nil {
		b.Fatal(err)
	}
	return float64(ticks)/100 + float64(self.Utime.Nano()+self.Stime.Nano())/1e9 // USER_HZ is 100 on Linux
}

// procStat is the fields of /proc/<pid>/stat after the command name: state, ppid, ... (field 4 onwards).
func procStat(path string) []string {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	i := strings.LastIndexByte(string(data), ')')
	if i < 0 {
		return nil
	}
	return strings.Fields(string(data[i+1:]))
}

func parentPid(b *testing.B, pid int) int {
	f := procStat("/proc/" + strconv.Itoa(pid) + "/stat")
	if len(f) < 2 {
		b.Fatalf("no /proc entry for backend %d", pid)
	}
	return atoi(f[1])
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

func loadAverage() string {
	data, _ := os.ReadFile("/proc/loadavg")
	return strings.Join(strings.Fields(string(data))[:min(3, len(strings.Fields(string(data))))], " ")
}
