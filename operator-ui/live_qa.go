package operatorui

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"dozvon/dialog"
	"dozvon/internal/auth"
)

// A supervisor reviews a closed dialog against the QA checklist on its read-only page
// (POST /live/dialogs/{id}/qa): a checkbox per item, a comment. Saving again replaces the review.

// qaForm is the review form: the stored review's answers, or what was just posted when it has a problem.
type qaForm struct {
	Items   []qaCheck
	Comment string
	Review  *dialog.QAReview  // the stored review, nil before the first
	Errors  map[string]string // by field: answers, comment, form
}

type qaCheck struct {
	Key, Label string
	Weight     int
	Checked    bool
}

func qaFormOf(loc string, answers map[string]bool, comment string, review *dialog.QAReview) *qaForm {
	f := &qaForm{Comment: comment, Review: review}
	for _, item := range dialog.QAChecklist {
		f.Items = append(f.Items, qaCheck{Key: item.Key, Label: T(loc, "qa.item_"+item.Key), Weight: item.Weight,
			Checked: answers[item.Key]})
	}
	return f
}

// storedQAForm is the form as the stored review left it; a dialog not reviewed yet starts with nothing ticked,
// as the form says: the reviewer ticks what the operator did, and the score is the sum of what was ticked. (It
// once started with every item ticked, so a reviewer who followed the text scored 5 for a dialog worth 95.)
func storedQAForm(loc string, review *dialog.QAReview) *qaForm {
	if review != nil {
		return qaFormOf(loc, review.Answers, review.Comment, review)
	}
	return qaFormOf(loc, map[string]bool{}, "", nil)
}

// Score is what the ticked items add up to, the figure the page's preview starts from.
func (f *qaForm) Score() int {
	n := 0
	for _, c := range f.Items {
		if c.Checked {
			n += c.Weight
		}
	}
	return n
}

func (ui *UI) reviewLiveDialog(w http.ResponseWriter, r *http.Request) {
	id, ok := ui.supervisorPathID(w, r)
	if !ok {
		return
	}
	loc, me := ui.requestLocale(r), currentUser(r)
	answers := map[string]bool{}
	for _, item := range dialog.QAChecklist {
		answers[item.Key] = r.PostFormValue("qa_"+item.Key) != ""
	}
	comment := strings.TrimSpace(r.PostFormValue("comment"))
	review, err := ui.Dialog.ReviewDialog(r.Context(), id, me.ID, answers, comment)
	if errors.Is(err, dialog.ErrNotFound) {
		ui.notFound(w, r)
		return
	}
	if field, key := qaProblem(err); key != "" {
		form := qaFormOf(loc, answers, comment, nil)
		form.Errors = map[string]string{field: T(loc, key)}
		ui.renderLiveDialogWith(w, r, http.StatusUnprocessableEntity, reassignForm{}, form)
		return
	}
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	ui.audit(r, auth.Entry{UserID: &me.ID, Actor: me.Login, Action: "dialog.qa_review",
		Object: "conversation " + strconv.FormatInt(id, 10),
		Detail: map[string]any{"conversation_id": id, "score": review.Score, "answers": answers}})
	ui.flash(r, T(loc, "qa.saved", id, review.Score))
	nav, err := ui.listNavOf(r, id)
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, dialogPage(id, nav), http.StatusSeeOther)
}

// qaProblem is the field and message key for an answer ReviewDialog gives about the form, "" for anything else.
func qaProblem(err error) (field, key string) {
	var in *dialog.InputError
	switch {
	case err == nil:
		return "", ""
	case errors.Is(err, dialog.ErrStillOpen):
		return "form", "qa.err_open"
	case errors.Is(err, dialog.ErrNotSupervisor):
		return "form", "qa.err_forbidden"
	case errors.As(err, &in) && in.Field == "comment":
		return "comment", "qa.err_comment"
	case errors.As(err, &in):
		return "answers", "qa.err_answers"
	}
	return "", ""
}
