package operatorui

import (
	"errors"
	"net/url"
	"slices"
	"strconv"
	"time"

	"dozvon/reports"
)

// The dashboard's filter as the form and every link of the page carry it: the period (reports_period.go) and, when
// chosen, a lead kind, a campaign, an operator and a channel. Each panel and the Excel file read the same filter.

type reportFilter struct {
	reportPeriod
	Kind, Channel          string
	CampaignID, OperatorID int64
}

var errReportFilter = errors.New("reports.bad_filter")

// parseReportFilter reads the period and ?kind=&campaign=&operator=&channel= (each empty for all). An error is the
// catalog key of the message to show; the filter keeps what was read.
func parseReportFilter(q url.Values, now time.Time) (reportFilter, error) {
	p, err := parseReportPeriod(q, now)
	f := reportFilter{reportPeriod: p, Kind: q.Get("kind"), Channel: q.Get("channel")}
	if err != nil {
		return f, err
	}
	ids := []*int64{&f.CampaignID, &f.OperatorID}
	for i, name := range []string{"campaign", "operator"} {
		if v := q.Get(name); v != "" {
			id, err := strconv.ParseInt(v, 10, 64)
			if err != nil || id <= 0 {
				return f, errReportFilter
			}
			*ids[i] = id
		}
	}
	if (f.Kind != "" && !slices.Contains(reports.Kinds, f.Kind)) || (f.Channel != "" && !slices.Contains(reports.Channels, f.Channel)) {
		return f, errReportFilter
	}
	return f, nil
}

func (f reportFilter) filter() reports.Filter {
	return reports.Filter{Period: f.Span, Kind: f.Kind, CampaignID: f.CampaignID, OperatorID: f.OperatorID, Channel: f.Channel}
}

// query is the filter as the page's links and the export's address carry it: what is not chosen is left out.
func (f reportFilter) query() string {
	q := url.Values{"from": {f.From}, "to": {f.To}}
	for name, v := range map[string]string{"kind": f.Kind, "channel": f.Channel} {
		if v != "" {
			q.Set(name, v)
		}
	}
	for name, v := range map[string]int64{"campaign": f.CampaignID, "operator": f.OperatorID} {
		if v != 0 {
			q.Set(name, strconv.FormatInt(v, 10))
		}
	}
	return q.Encode()
}

// withPeriod is the same filter over another period.
func (f reportFilter) withPeriod(p reportPeriod) reportFilter {
	f.reportPeriod = p
	return f
}
