package campaigns

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"dozvon/messenger"
)

// Preview is a campaign's message as one lead of its audience would get it. The campaign page shows it, and a test
// message sends it, so that what a manager checks is exactly what the broadcast sends.
type Preview struct {
	Values  map[string]string // the variables' values
	Real    bool              // the values are a lead's of the audience; false: the built-in samples (no audience)
	Text    string            // Telegram HTML, every value escaped
	Buttons messenger.Markup  // with the callback data the broadcast carries
}

// Preview renders a campaign's message on the first lead of its audience.
func (s *Store) Preview(ctx context.Context, camp Campaign) (Preview, error) {
	tmpl, err := Compile(camp.Template)
	if err != nil {
		return Preview{}, err
	}
	values, fromLead, err := s.sampleLead(ctx, camp)
	if err != nil {
		return Preview{}, err
	}
	return Preview{Values: values, Real: fromLead, Text: tmpl.Render(values), Buttons: markup(camp.ID, camp.Template.Buttons)}, nil
}

// SampleLead is a lead of a campaign's audience a manager may preview the message on and send as a test.
type SampleLead struct {
	LeadID int64
	Values map[string]string // the variables' values
}

// SampleLeads returns the first n leads of a campaign's audience, in the order a run writes to them.
func (s *Store) SampleLeads(ctx context.Context, camp Campaign, n int) ([]SampleLead, error) {
	channels, err := s.writable(ctx, camp)
	if err != nil {
		return nil, err
	}
	from, args := audienceSQL(camp, s.Now(), channels)
	args["n"] = n
	rows, err := s.pool.Query(ctx, `SELECT l.id, `+variableColumns()+from+` AND `+notExcluded+` ORDER BY l.id LIMIT @n`, args)
	if err != nil {
		return nil, fmt.Errorf("campaigns: sample leads of %d: %w", camp.ID, err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (SampleLead, error) {
		values := make([]string, len(VariableNames))
		ptrs := []any{new(int64)}
		for i := range values {
			ptrs = append(ptrs, &values[i])
		}
		if err := r.Scan(ptrs...); err != nil {
			return SampleLead{}, err
		}
		out := SampleLead{LeadID: *ptrs[0].(*int64), Values: map[string]string{}}
		for i, v := range VariableNames {
			out.Values[v] = values[i]
		}
		return out, nil
	})
}

// PreviewLead renders a campaign's message on one lead of its kind, the text that lead would get; ErrNotFound
// when the campaign writes to no such lead.
func (s *Store) PreviewLead(ctx context.Context, camp Campaign, leadID int64) (Preview, error) {
	tmpl, err := Compile(camp.Template)
	if err != nil {
		return Preview{}, err
	}
	values := make([]string, len(VariableNames))
	ptrs := make([]any, len(values))
	for i := range values {
		ptrs[i] = &values[i]
	}
	err = s.pool.QueryRow(ctx, `SELECT `+variableColumns()+`
		FROM leads l JOIN clients c ON c.id = l.client_id LEFT JOIN applications a ON a.id = l.application_id
		WHERE l.id = $1 AND l.kind = $2`, leadID, camp.LeadKind).Scan(ptrs...)
	if errors.Is(err, pgx.ErrNoRows) {
		return Preview{}, ErrNotFound
	}
	if err != nil {
		return Preview{}, fmt.Errorf("campaigns: preview %d on lead %d: %w", camp.ID, leadID, err)
	}
	p := Preview{Values: map[string]string{}, Real: true, Buttons: markup(camp.ID, camp.Template.Buttons)}
	for i, v := range VariableNames {
		p.Values[v] = values[i]
	}
	p.Text = tmpl.Render(p.Values)
	return p, nil
}

// variableColumns is the SQL of the template variables, in VariableNames' order.
func variableColumns() string {
	cols := make([]string, len(VariableNames))
	for i, v := range VariableNames {
		cols[i] = variables[v].sql
	}
	return strings.Join(cols, ", ")
}
