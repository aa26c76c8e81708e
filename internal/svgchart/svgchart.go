// Package svgchart draws the dashboards' charts as SVG on the server: no script, no inline style (the pages' CSP
// allows neither), so a chart shows the moment the page arrives, prints, and scales with the page. Each series has
// a fill pattern of its own as well as a colour, values are written beside the bars, and every chart and bar
// carries a <title>, so a chart reads without colour and to a screen reader. Words and numbers come in already in
// the user's language: the package knows no language.
package svgchart

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strconv"
	"strings"
)

// Series is one named sequence of values, one per category. A NaN value is "no figure" (a share of nothing): no
// bar, and a dash for its label.
type Series struct {
	Name   string
	Values []float64
	// Labels, when set, are written beside the bars instead of the formatted values (a count with its share,
	// say).
	Labels []string
}

// Chart is what both chart shapes draw.
type Chart struct {
	ID         string // unique on the page: prefixes the ids of the chart's title and patterns
	Title      string // the chart's <title> and aria-label
	Categories []string
	Series     []Series
	Format     func(float64) string // values (and the axis) as the user's language writes them
	Max        float64              // the value axis's end; 0: the largest value, rounded up
	// Reference, when Label is set, is a dashed line at a value (the bank's reference), named on the chart.
	Reference struct {
		Value float64
		Label string
	}
}

// The patterns, one per series in order: solid, diagonal hatch, dots, cross-hatch, horizontal lines. Printed in
// grey they stay apart.
var patterns = []string{
	``,
	`<path d="M0,6 L6,0" stroke="#ffffff" stroke-width="1.6"/>`,
	`<circle cx="3" cy="3" r="1.3" fill="#ffffff"/>`,
	`<path d="M0,0 L6,6 M6,0 L0,6" stroke="#ffffff" stroke-width="1.2"/>`,
	`<path d="M0,3 L6,3" stroke="#ffffff" stroke-width="1.6"/>`,
}

var colours = []string{"#0b5cad", "#1e7b46", "#9a6200", "#6b3fa0", "#b3261e"}

const (
	width    = 720
	font     = `font-family="system-ui, sans-serif"`
	inkColor = "#1b2430"
	muted    = "#5d6b7c"
	gridLine = "#dde3ea"
)

func esc(s string) string { return html.EscapeString(s) }

func (c Chart) format(v float64) string {
	if math.IsNaN(v) {
		return "—"
	}
	if c.Format != nil {
		return c.Format(v)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func (c Chart) label(s, i int) string {
	if l := c.Series[s].Labels; i < len(l) && l[i] != "" {
		return l[i]
	}
	return c.format(c.value(s, i))
}

func (c Chart) value(s, i int) float64 {
	if v := c.Series[s].Values; i < len(v) {
		return v[i]
	}
	return math.NaN()
}

// top is the value axis's end: Max, or the largest value (and the reference) rounded up to 1, 2, 2.5 or 5 times a
// power of ten; 1 when every value is 0.
func (c Chart) top() float64 {
	if c.Max > 0 {
		return c.Max
	}
	m := c.Reference.Value
	for s := range c.Series {
		for _, v := range c.Series[s].Values {
			if !math.IsNaN(v) && v > m {
				m = v
			}
		}
	}
	if m <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(m)))
	for _, f := range []float64{1, 2, 2.5, 5, 10} {
		if m <= f*p {
			return f * p
		}
	}
	return 10 * p
}

// open writes the <svg> with its title, the patterns and the legend (when there is more than one series); it
// returns the y where the plot may begin.
func (c Chart) open(b *strings.Builder, height int) int {
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 %d %d" width="100%%" role="img" aria-labelledby="%s-title" aria-label="%s" data-chart="%s">`,
		width, height, esc(c.ID), esc(c.Title), esc(c.ID))
	fmt.Fprintf(b, `<title id="%s-title">%s</title><defs>`, esc(c.ID), esc(c.Title))
	for s := range c.Series {
		fmt.Fprintf(b, `<pattern id="%s-p%d" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="%s"/>%s</pattern>`,
			esc(c.ID), s, colours[s%len(colours)], patterns[s%len(patterns)])
	}
	b.WriteString(`</defs>`)
	if len(c.Series) < 2 {
		return c.legendHeight()
	}
	x := 8
	for s, se := range c.Series {
		fmt.Fprintf(b, `<g class="legend"><rect x="%d" y="6" width="14" height="14" fill="url(#%s-p%d)" stroke="%s"/><text x="%d" y="18" font-size="13" %s fill="%s">%s</text></g>`,
			x, esc(c.ID), s, inkColor, x+19, font, inkColor, esc(se.Name))
		x += 19 + 8*len([]rune(se.Name)) + 18
	}
	return c.legendHeight()
}

// legendHeight is the room the legend takes above the plot: none for a single series.
func (c Chart) legendHeight() int {
	if len(c.Series) < 2 {
		return 8
	}
	return 30
}

// Columns draws vertical columns, the series side by side in each category: a trend by day, a histogram, hours of
// the day. With many columns the values go into each column's <title> only, and every n-th category is named.
func Columns(c Chart) template.HTML {
	const height, left, bottom = 280, 56, 36
	right := 12
	if c.Reference.Label != "" {
		right = 96 // the reference is named to the right of the plot, clear of the columns
	}
	var b strings.Builder
	top := c.open(&b, height) + 10
	plotH := float64(height - bottom - top)
	plotW := float64(width - left - right)
	ymax := c.top()
	y := func(v float64) float64 { return float64(top) + plotH*(1-v/ymax) }
	for i := 0; i <= 4; i++ {
		v := ymax * float64(i) / 4
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="%s"/><text class="axis" x="%d" y="%.1f" text-anchor="end" font-size="12" %s fill="%s">%s</text>`,
			left, width-right, y(v), y(v), gridLine, left-6, y(v)+4, font, muted, esc(c.format(v)))
	}
	n := len(c.Categories)
	if n == 0 {
		b.WriteString(`</svg>`)
		return template.HTML(b.String())
	}
	group := plotW / float64(n)
	bar := group * 0.8 / float64(max(1, len(c.Series)))
	every := max(1, (n+13)/14) // at most 14 category names on the axis
	for i, name := range c.Categories {
		gx := float64(left) + group*float64(i) + group*0.1
		for s := range c.Series {
			v := c.value(s, i)
			x := gx + bar*float64(s)
			tip := esc(name + " · " + seriesName(c, s) + c.label(s, i))
			if math.IsNaN(v) {
				fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" font-size="11" %s fill="%s"><title>%s</title>—</text>`,
					x+bar/2, y(0)-3, font, muted, tip)
				continue
			}
			h := plotH * math.Min(v, ymax) / ymax
			fmt.Fprintf(&b, `<rect class="bar" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="url(#%s-p%d)" stroke="%s" stroke-width=".5" data-value="%s"><title>%s</title></rect>`,
				x, y(0)-h, bar, h, esc(c.ID), s, inkColor, strconv.FormatFloat(v, 'f', -1, 64), tip)
			if bar >= 30 { // room to write the value above the column; narrower ones have it in their title
				fmt.Fprintf(&b, `<text class="value" x="%.1f" y="%.1f" text-anchor="middle" font-size="11" %s fill="%s">%s</text>`,
					x+bar/2, y(0)-h-3, font, inkColor, esc(c.label(s, i)))
			}
		}
		if i%every == 0 {
			fmt.Fprintf(&b, `<text class="category" x="%.1f" y="%d" text-anchor="middle" font-size="12" %s fill="%s">%s</text>`,
				float64(left)+group*(float64(i)+0.5), height-bottom+16, font, inkColor, esc(name))
		}
	}
	c.reference(&b, float64(left), float64(width-right), y(c.Reference.Value), true)
	fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="%s"/></svg>`, left, width-right, y(0), y(0), inkColor)
	return template.HTML(b.String())
}

// Bars draws horizontal bars, one row per category and series, each with its value written at its end: a funnel's
// steps, operators side by side.
func Bars(c Chart) template.HTML {
	const row, gap, left, right = 20, 10, 190, 120
	rows := len(c.Categories) * len(c.Series)
	var b strings.Builder
	height := c.legendHeight() + 4 + rows*row + len(c.Categories)*gap + 24
	top := c.open(&b, height) + 4
	plotW := float64(width - left - right)
	xmax := c.top()
	x := func(v float64) float64 { return float64(left) + plotW*math.Min(v, xmax)/xmax }
	yy := top
	for i, name := range c.Categories {
		fmt.Fprintf(&b, `<text class="category" x="%d" y="%d" text-anchor="end" font-size="13" %s fill="%s">%s</text>`,
			left-8, yy+row*len(c.Series)/2+5, font, inkColor, esc(name))
		for s := range c.Series {
			v := c.value(s, i)
			tip := esc(name + " · " + seriesName(c, s) + c.label(s, i))
			if math.IsNaN(v) {
				fmt.Fprintf(&b, `<text class="value" x="%d" y="%d" font-size="12" %s fill="%s"><title>%s</title>—</text>`,
					left+4, yy+row-6, font, muted, tip)
			} else {
				w := x(v) - float64(left)
				fmt.Fprintf(&b, `<rect class="bar" x="%d" y="%d" width="%.1f" height="%d" fill="url(#%s-p%d)" stroke="%s" stroke-width=".5" data-value="%s"><title>%s</title></rect>`,
					left, yy+2, w, row-4, esc(c.ID), s, inkColor, strconv.FormatFloat(v, 'f', -1, 64), tip)
				fmt.Fprintf(&b, `<text class="value" x="%.1f" y="%d" font-size="12" %s fill="%s">%s</text>`,
					float64(left)+w+5, yy+row-6, font, inkColor, esc(c.label(s, i)))
			}
			yy += row
		}
		yy += gap
	}
	c.reference(&b, float64(top), float64(yy), x(c.Reference.Value), false)
	fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="%s"/></svg>`, left, left, top, yy, inkColor)
	return template.HTML(b.String())
}

func seriesName(c Chart, s int) string {
	if len(c.Series) < 2 || c.Series[s].Name == "" {
		return ""
	}
	return c.Series[s].Name + ": "
}

// reference draws the dashed reference line across the plot (from..to) at pos: horizontal on columns, vertical on
// bars.
func (c Chart) reference(b *strings.Builder, from, to, pos float64, horizontal bool) {
	if c.Reference.Label == "" {
		return
	}
	text := esc(c.Reference.Label + " " + c.format(c.Reference.Value))
	if horizontal {
		fmt.Fprintf(b, `<g class="reference"><line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="%s" stroke-width="1.5" stroke-dasharray="6 4"/><text x="%.1f" y="%.1f" font-size="12" %s fill="%s">%s</text></g>`,
			from, to, pos, pos, inkColor, to+4, pos+4, font, inkColor, text)
		return
	}
	fmt.Fprintf(b, `<g class="reference"><line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="%s" stroke-width="1.5" stroke-dasharray="6 4"/><text x="%.1f" y="%.1f" font-size="12" %s fill="%s">%s</text></g>`,
		pos, pos, from, to, inkColor, pos+4, to+14, font, inkColor, text)
}
