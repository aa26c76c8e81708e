package browsertest

import (
	"context"
	"fmt"

	"github.com/chromedp/chromedp"
)

// Upload puts the file at path into the file input that selector (CSS) finds, as a person choosing it in the
// file dialog does; submit its form with Submit.
func (p *Page) Upload(selector, path string) {
	p.t.Helper()
	p.step(fmt.Sprintf("upload %s into %s", path, selector),
		chromedp.WaitReady(chromedp.CSS(selector)),
		chromedp.SetUploadFiles(chromedp.CSS(selector), []string{path}))
}

// Value returns the value of the form field that selector (CSS) finds; for a <select>, its chosen option's.
func (p *Page) Value(selector string) string {
	p.t.Helper()
	return p.eval(selector, "read the value of "+selector, fmt.Sprintf(`document.querySelector(%s).value`, jsString(selector)))
}

// SelectedText is the text of the chosen option of the <select> that selector (CSS) finds.
func (p *Page) SelectedText(selector string) string {
	p.t.Helper()
	return p.eval(selector, "read the choice of "+selector,
		fmt.Sprintf(`(s => s.selectedIndex < 0 ? "" : s.options[s.selectedIndex].text)(document.querySelector(%s))`, jsString(selector)))
}

// eval waits for selector, then evaluates js to a string.
func (p *Page) eval(selector, what, js string) string {
	p.t.Helper()
	p.step("wait for "+selector, chromedp.WaitReady(chromedp.CSS(selector)))
	ctx, cancel := context.WithTimeout(p.Ctx, StepTimeout)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
	if err != nil {
		p.fail(what, err)
	}
	return s
}
