package operatorui

import (
	"errors"
	"net/http"
	"strconv"

	"dozvon/dialog"
	"dozvon/internal/auth"
)

// Supervisors keep the bank's product offers operators send from the console with two clicks: /offers lists
// them, /offers/new and /offers/{id} hold the form, and a mistake comes back next to its field with the input kept.

type offerForm struct {
	Offer  dialog.Offer
	Errors map[string]string
}

func (ui *UI) showOffers(w http.ResponseWriter, r *http.Request) {
	if !ui.supervisorToolsOn(w, r) {
		return
	}
	list, err := ui.Dialog.Offers(r.Context())
	if err != nil {
		ui.serverError(w, r, err)
		return
	}
	ui.render(w, r, http.StatusOK, "offers", view{Title: "offers.title", Data: list})
}

func (ui *UI) showNewOffer(w http.ResponseWriter, r *http.Request) {
	if ui.supervisorToolsOn(w, r) {
		ui.renderOfferForm(w, r, http.StatusOK, dialog.Offer{}, nil)
	}
}

func (ui *UI) showOffer(w http.ResponseWriter, r *http.Request) {
	if o, ok := ui.offerOf(w, r); ok {
		ui.renderOfferForm(w, r, http.StatusOK, o, nil)
	}
}

func (ui *UI) createOffer(w http.ResponseWriter, r *http.Request) {
	if ui.supervisorToolsOn(w, r) {
		ui.saveOffer(w, r, 0)
	}
}

func (ui *UI) updateOffer(w http.ResponseWriter, r *http.Request) {
	if o, ok := ui.offerOf(w, r); ok {
		ui.saveOffer(w, r, o.ID)
	}
}

func (ui *UI) saveOffer(w http.ResponseWriter, r *http.Request, id int64) {
	o := dialog.Offer{ID: id, Title: r.PostFormValue("title"), Body: r.PostFormValue("body"),
		Product: r.PostFormValue("product")}
	me := currentUser(r)
	saved, err := ui.Dialog.SaveOffer(r.Context(), o, me.ID)
	var in *dialog.InputError
	switch {
	case errors.As(err, &in):
		ui.renderOfferForm(w, r, http.StatusUnprocessableEntity, o,
			map[string]string{in.Field: T(ui.requestLocale(r), "offers.err_"+in.Field)})
		return
	case errors.Is(err, dialog.ErrNoSuchOffer):
		ui.notFound(w, r)
		return
	case err != nil:
		ui.serverError(w, r, err)
		return
	}
	action := "offer.update"
	if id == 0 {
		action = "offer.create"
	}
	ui.audit(r, auth.Entry{UserID: &me.ID, Actor: me.Login, Action: action, Object: saved.Title,
		Detail: map[string]any{"offer_id": saved.ID}})
	ui.flash(r, T(ui.requestLocale(r), "offers.saved", saved.Title))
	http.Redirect(w, r, "/offers", http.StatusSeeOther)
}

func (ui *UI) deleteOffer(w http.ResponseWriter, r *http.Request) {
	o, ok := ui.offerOf(w, r)
	if !ok {
		return
	}
	if err := ui.Dialog.DeleteOffer(r.Context(), o.ID); err != nil && !errors.Is(err, dialog.ErrNoSuchOffer) {
		ui.serverError(w, r, err)
		return
	}
	me := currentUser(r)
	ui.audit(r, auth.Entry{UserID: &me.ID, Actor: me.Login, Action: "offer.delete", Object: o.Title,
		Detail: map[string]any{"offer_id": o.ID}})
	ui.flash(r, T(ui.requestLocale(r), "offers.deleted"))
	http.Redirect(w, r, "/offers", http.StatusSeeOther)
}

// offerOf loads the {id} offer, answering 404 when there is none.
func (ui *UI) offerOf(w http.ResponseWriter, r *http.Request) (dialog.Offer, bool) {
	if !ui.supervisorToolsOn(w, r) {
		return dialog.Offer{}, false
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		ui.notFound(w, r)
		return dialog.Offer{}, false
	}
	o, err := ui.Dialog.Offer(r.Context(), id)
	if errors.Is(err, dialog.ErrNoSuchOffer) {
		ui.notFound(w, r)
		return o, false
	}
	if err != nil {
		ui.serverError(w, r, err)
		return o, false
	}
	return o, true
}

func (ui *UI) renderOfferForm(w http.ResponseWriter, r *http.Request, status int, o dialog.Offer, errs map[string]string) {
	title := "offers.new"
	if o.ID != 0 {
		title = "offers.edit"
	}
	ui.render(w, r, status, "offer", view{Title: title, Data: offerForm{Offer: o, Errors: errs}})
}
