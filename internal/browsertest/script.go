package browsertest

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
)

// Helpers for pages whose scripts change them in place (live chats, polled lists): a click that loads no other
// page, and a wait for text that appears some time later.

// Click clicks the element that selector (CSS) finds, once it is visible, and returns without waiting for a page
// to load: for buttons a script handles. For a form that loads the next page, use Submit.
func (p *Page) Click(selector string) {
	p.t.Helper()
	p.step("click "+selector, chromedp.Click(chromedp.CSS(selector)))
}

// WaitText waits until an element that selector (CSS) finds shows text containing want, and returns that
// element's visible text, trimmed. It fails the test after StepTimeout, with a screenshot.
func (p *Page) WaitText(selector, want string) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.Ctx, StepTimeout)
	defer cancel()
	js := fmt.Sprintf(`(() => {
		for (const el of document.querySelectorAll(%s)) {
			if (el.innerText.includes(%s)) return {found: true, text: el.innerText};
		}
		return {found: false, text: ""};
	})()`, jsString(selector), jsString(want))
	// Checked from Go rather than with chromedp.Poll: a page that has just loaded, or is replaced, makes one
	// evaluation fail ("Cannot find context"), and the next one works.
	var last error
	for {
		got, err := chromedp.Run(ctx, chromedp.Evaluate[struct {
			Found bool   `json:"found"`
			Text  string `json:"text"`
		}](js))
		if err == nil && got.Found {
			return strings.TrimSpace(got.Text)
		}
		last = err // the latest failure, if the wait runs out on one
		select {
		case <-ctx.Done():
			if last == nil {
				last = ctx.Err()
			}
			p.fail(fmt.Sprintf("wait for %q in %s", want, selector), last)
			return ""
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Count tells, without waiting, how many elements selector (CSS) finds on the current page.
func (p *Page) Count(selector string) int {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.Ctx, StepTimeout)
	defer cancel()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](fmt.Sprintf("document.querySelectorAll(%s).length", jsString(selector))))
	if err != nil {
		p.fail("count "+selector, err)
	}
	return n
}

// Select chooses the option whose value is value in the <select> that selector (CSS) finds, as a person picking
// it does (a change event follows). It fails the test when the select has no such option.
func (p *Page) Select(selector, value string) {
	p.t.Helper()
	js := fmt.Sprintf(`(() => {
		const el = document.querySelector(%s);
		if (!el || ![...el.options].some(o => o.value === %s)) return false;
		el.value = %s;
		el.dispatchEvent(new Event("input", {bubbles: true}));
		el.dispatchEvent(new Event("change", {bubbles: true}));
		return true;
	})()`, jsString(selector), jsString(value), jsString(value))
	p.step("wait for "+selector, chromedp.WaitVisible(chromedp.CSS(selector)))
	ctx, cancel := context.WithTimeout(p.Ctx, StepTimeout)
	defer cancel()
	ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
	if err == nil && !ok {
		err = fmt.Errorf("no option %q", value)
	}
	if err != nil {
		p.fail("select "+value+" in "+selector, err)
	}
}
