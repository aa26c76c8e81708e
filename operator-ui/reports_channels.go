package operatorui

import (
	"html/template"

	"dozvon/internal/svgchart"
	"dozvon/reports"
)

// The dashboard's panel per messenger: each channel's funnel and service (reports.ByChannel) as a table, a chart
// and a sheet of the export. Its figures are not linked to the dialogs behind them: the dialogs' list has no
// channel filter yet (drillBase).

// channelRow is one messenger's line of the panel.
type channelRow struct {
	Channel, Label                         string
	Written, Replied, Consented, Converted string
	Reply, Consent, Convert                shareCell
	Answered, Ratings                      string
	InTime, Top                            shareCell
}

func channelRows(locale string, figures []reports.ChannelFigures) []channelRow {
	var out []channelRow
	for _, c := range figures {
		f, s := funnelRowOf(locale, c.Funnel, ""), dayRowOf(locale, c.Service, "")
		out = append(out, channelRow{Channel: c.Channel, Label: channelLabel(locale, c.Channel),
			Written: f.Written, Replied: f.Replied, Consented: f.Consented, Converted: f.Converted,
			Reply: f.Reply, Consent: f.Consent, Convert: f.Convert,
			Answered: s.Answered, Ratings: s.Ratings, InTime: s.InTime, Top: s.Top})
	}
	return out
}

// channelChart is the messengers' funnels side by side, each step with its count and share.
func channelChart(locale string, figures []reports.ChannelFigures) template.HTML {
	var names []string
	var funnels []reports.Funnel
	for _, c := range figures {
		names, funnels = append(names, channelLabel(locale, c.Channel)), append(funnels, c.Funnel)
	}
	return svgchart.Bars(funnelChart(locale, "chart-channels", T(locale, "reports.chart_channels"), names, funnels))
}

// channelSheet is the export's sheet of the panel: a row per messenger.
func channelSheet(locale string, figures []reports.ChannelFigures) [][]any {
	rows := [][]any{{T(locale, "reports.channel_col"), T(locale, "reports.written"), T(locale, "reports.replied"),
		T(locale, "reports.consented"), T(locale, "reports.converted"), T(locale, "reports.reply_share"),
		T(locale, "reports.consent_share"), T(locale, "reports.convert_of_consents"), T(locale, "reports.answered"),
		T(locale, "reports.in_60"), T(locale, "reports.ratings"), T(locale, "reports.top")}}
	for _, c := range figures {
		f, s := c.Funnel, c.Service
		rows = append(rows, []any{channelLabel(locale, c.Channel), f.Written, f.Replied, f.Consented, f.Converted,
			percentCell(f.Reply()), percentCell(f.Consent()), percentCell(f.Convert()), s.Answered,
			percentCell(s.AnsweredIn60()), s.Ratings, percentCell(s.TopCSAT())})
	}
	return rows
}
