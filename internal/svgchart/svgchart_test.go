package svgchart_test

import (
	"encoding/xml"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"dozvon/internal/svgchart"
)

// bars reads each bar's size (width for Bars, height for Columns) and its data-value, in document order.
func bars(t *testing.T, svg, size string) (sizes, values []float64) {
	t.Helper()
	re := regexp.MustCompile(`<rect class="bar"[^>]* ` + size + `="([0-9.]+)"[^>]* data-value="([0-9.e+-]+)"`)
	for _, m := range re.FindAllStringSubmatch(svg, -1) {
		s, _ := strconv.ParseFloat(m[1], 64)
		v, _ := strconv.ParseFloat(m[2], 64)
		sizes, values = append(sizes, s), append(values, v)
	}
	return sizes, values
}

func wellFormed(t *testing.T, svg string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(svg))
	for {
		_, err := d.Token()
		if err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("not well-formed XML: %v\n%s", err, svg)
			}
			return
		}
	}
}

func percent(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) + " %" }

// A funnel drawn as bars: each bar's length is its value on one scale, the value is written beside it (here the
// count with its share), and a step with no figure has no bar but a dash.
func TestBarsAreProportionalAndWriteTheirValues(t *testing.T) {
	svg := string(svgchart.Bars(svgchart.Chart{ID: "funnel-mc", Title: "Недозвоны: воронка",
		Categories: []string{"Написали", "Ответили", "Согласие", "Конверсия"},
		Series:     []svgchart.Series{{Values: []float64{890, 89, 16, math.NaN()}, Labels: []string{"890", "89 · 10,0 %", "16 · 18,0 %", ""}}},
		Max:        1000}))
	wellFormed(t, svg)
	widths, values := bars(t, svg, "width")
	if len(widths) != 3 || values[0] != 890 || values[1] != 89 || values[2] != 16 {
		t.Fatalf("bars %v of values %v", widths, values)
	}
	for i := range widths {
		if math.Abs(widths[i]/widths[0]-values[i]/values[0]) > 0.001 {
			t.Errorf("bar %d is %.1f long for %v, the first %.1f for %v: not proportional", i, widths[i], values[i], widths[0], values[0])
		}
	}
	if math.Abs(widths[0]-0.89*410) > 0.1 { // the plot is 410 wide; 890 of an axis of 1,000
		t.Errorf("the first bar is %.1f long, want %.1f", widths[0], 0.89*410)
	}
	for _, want := range []string{">89 · 10,0 %</text>", ">Согласие</text>", "<title>Конверсия · —</title>—</text>",
		`aria-label="Недозвоны: воронка"`, `<title id="funnel-mc-title">Недозвоны: воронка</title>`, `role="img"`} {
		if !strings.Contains(svg, want) {
			t.Errorf("the chart lacks %q:\n%s", want, svg)
		}
	}
}

// Columns of two series: heights on one scale that ends at the largest value rounded up, the axis labelled in the
// user's format, each series its own pattern named in the legend, and the reference line named.
func TestColumnsShareOneAxisAndNameSeriesReferenceAndAxis(t *testing.T) {
	c := svgchart.Chart{ID: "sla", Title: "SLA by hour",
		Categories: []string{"09", "10", "11"},
		Series:     []svgchart.Series{{Name: "Within 60 s", Values: []float64{91, 45.5, 0}}, {Name: "Later", Values: []float64{9, 54.5, 100}}},
		Format:     percent}
	c.Reference.Value, c.Reference.Label = 91, "ref."
	svg := string(svgchart.Columns(c))
	wellFormed(t, svg)
	heights, values := bars(t, svg, "height")
	if len(heights) != 6 {
		t.Fatalf("%d columns, want 6", len(heights))
	}
	full := heights[5] // 100 of an axis of 100
	for i := range heights {
		if math.Abs(heights[i]-full*values[i]/100) > 0.11 {
			t.Errorf("column %d is %.1f high for %v; 100 is %.1f", i, heights[i], values[i], full)
		}
	}
	for _, want := range []string{">100.0 %</text>", ">50.0 %</text>", ">0.0 %</text>", // the axis: 0, 25, 50, 75, 100
		">ref. 91.0 %</text>", ">Within 60 s</text>", ">Later</text>", ">10</text>",
		`fill="url(#sla-p0)"`, `fill="url(#sla-p1)"`, "<title>10 · Later: 54.5 %</title>"} {
		if !strings.Contains(svg, want) {
			t.Errorf("the chart lacks %q", want)
		}
	}
	if p0, p1 := patternOf(svg, "sla-p0"), patternOf(svg, "sla-p1"); p0 == p1 || !strings.Contains(p1, "<path") {
		t.Errorf("the series must differ by pattern, not colour alone: %q and %q", p0, p1)
	}
}

func patternOf(svg, id string) string {
	i := strings.Index(svg, `<pattern id="`+id+`"`)
	if i < 0 {
		return ""
	}
	j := strings.Index(svg[i:], "</pattern>")
	p := svg[i : i+j]
	return p[strings.Index(p, "><")+1:] // what is drawn, without the id
}

// The page's CSP forbids inline style, and names come from people (campaign names): the chart uses presentation
// attributes only and escapes every text.
func TestChartsUseNoInlineStyleAndEscapeNames(t *testing.T) {
	c := svgchart.Chart{ID: "c", Title: `Campaign "<b>"`, Categories: []string{`<script>alert(1)</script>`},
		Series: []svgchart.Series{{Name: "a&b", Values: []float64{1}}, {Name: "c", Values: []float64{2}}}}
	for _, svg := range []string{string(svgchart.Bars(c)), string(svgchart.Columns(c))} {
		wellFormed(t, svg)
		if strings.Contains(svg, "style=") || strings.Contains(svg, "<style") || strings.Contains(svg, "<script") {
			t.Errorf("inline style or script in\n%s", svg)
		}
		if !strings.Contains(svg, "&lt;script&gt;") || !strings.Contains(svg, "a&amp;b") || !strings.Contains(svg, `aria-label="Campaign &#34;&lt;b&gt;&#34;"`) {
			t.Errorf("names not escaped:\n%s", svg)
		}
	}
}

// An axis over nothing still draws (from 0 to 1), and a day with many columns names only some categories so they
// do not overlap, writing the values into the columns' titles instead.
func TestColumnsWithManyCategoriesOrNothingStayLegible(t *testing.T) {
	var days []string
	var values []float64
	for i := range 60 {
		days = append(days, strconv.Itoa(i+1))
		values = append(values, float64(i))
	}
	svg := string(svgchart.Columns(svgchart.Chart{ID: "d", Title: "t", Categories: days, Series: []svgchart.Series{{Values: values}}}))
	wellFormed(t, svg)
	if n := strings.Count(svg, `class="category"`); n != 12 {
		t.Errorf("%d category names for 60 columns, want 12 (every 5th)", n)
	}
	if strings.Contains(svg, `class="value"`) || !strings.Contains(svg, "<title>60 · 59</title>") {
		t.Error("with 60 columns the values go into the titles only")
	}
	empty := string(svgchart.Columns(svgchart.Chart{ID: "e", Title: "t", Categories: []string{"a"}, Series: []svgchart.Series{{Values: []float64{0}}}}))
	wellFormed(t, empty)
	if !strings.Contains(empty, ">1</text>") || strings.Contains(empty, "NaN") {
		t.Errorf("an axis over zeros:\n%s", empty)
	}
}
