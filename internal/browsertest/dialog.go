package browsertest

import (
	"sync"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// Dialogs are the questions a tab's scripts asked (confirm, alert), each answered OK.
type Dialogs struct {
	mu       sync.Mutex
	messages []string
}

// AcceptDialogs makes the tab answer every dialog its scripts open with OK, as a person who agrees, and records
// what each said: a form with a confirmation ("Run now?") then submits, and the test reads the question.
func (p *Page) AcceptDialogs() *Dialogs {
	d := &Dialogs{}
	events := chromedp.Events(p.Ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range events {
			if err != nil {
				return
			}
			d.mu.Lock()
			d.messages = append(d.messages, ev.Message)
			d.mu.Unlock()
			_, _ = chromedp.Call(p.Ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	return d
}

// Messages is what the dialogs said, oldest first.
func (d *Dialogs) Messages() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.messages...)
}
