package campaigns_test

import (
	"context"
	"testing"
	"time"

	"dozvon/campaigns"
	"dozvon/internal/pg/pgtest"
)

// BenchmarkRunEnqueue100kOf1MLeads builds 1,000,000 missed-call leads across four regions; the 100,000 in
// Moscow have a linked chat. It times one run of a campaign for Moscow: the audience query over the million
// leads with every exclusion, then rendering and queueing 100,000 messages with their quiet-hours due times —
// all set-based.
func BenchmarkRunEnqueue100kOf1MLeads(b *testing.B) {
	ctx := context.Background()
	pool := pgtest.NewDB(b)
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
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
		`INSERT INTO contacts (chat_id, status, linked_via) SELECT id, 'active', 'deep_link' FROM clients WHERE id % 10 = 0`,
		`INSERT INTO contact_leads (contact_id, lead_id, via)
		 SELECT ct.id, l.id, 'deep_link' FROM contacts ct JOIN leads l ON l.client_id = ct.chat_id`,
		`ANALYZE`,
	} {
		args := []any{}
		if containsParam(q) {
			args = append(args, now)
		}
		if _, err := pool.Exec(ctx, q, args...); err != nil {
			b.Fatalf("%s: %v", q, err)
		}
	}
	store := campaigns.NewStore(pool)
	store.Now = func() time.Time { return now }
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
		began := time.Now()
		run, err := store.RunSlot(ctx, c.ID, now.Add(time.Duration(i)*time.Minute), campaigns.TriggerManual)
		took := time.Since(began)
		if err != nil {
			b.Fatal(err)
		}
		if run.Enqueued != 100000 {
			b.Fatalf("enqueued %d", run.Enqueued)
		}
		b.ReportMetric(took.Seconds(), "s/run")
		b.ReportMetric(float64(run.Enqueued)/took.Seconds(), "msg/s")
		b.StopTimer()
		if _, err := pool.Exec(ctx, `DELETE FROM outbox; DELETE FROM invitations; UPDATE leads SET status = 'new'`); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
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
