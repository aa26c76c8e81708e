package operatorui

import (
	"net/http"

	"dozvon/campaigns"
	"dozvon/campaigns/imports"
	"dozvon/internal/auth"
)

// Access says who may use a route.
type Access struct {
	// Public routes need no login (the login page, health checks, static files).
	Public bool
	// Roles may use the route; empty with Public false means any logged-in user.
	Roles []auth.Role
	// API routes answer 401/403 as JSON instead of redirecting to the login page.
	API bool
	// Token routes are for the bank's systems: they need an API token (Authorization: Bearer dzv_...), checked on
	// every request, and a session does not count. They are API routes too.
	Token bool
	// Scope is what the token must be allowed to do (auth.ScopeImports, auth.ScopeCallbacks); 403 otherwise.
	Scope string
	// RawBody routes read their body as bytes and store it as sent (Telegram's updates), so the check of what
	// people submit (input.go) leaves them alone.
	RawBody bool
}

func (a Access) allows(r auth.Role) bool {
	if a.Public || len(a.Roles) == 0 {
		return true
	}
	for _, x := range a.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// Route is one row of the role table: every page and API endpoint is here, and the role test walks all of them.
type Route struct {
	Pattern string // Go 1.22 ServeMux pattern, "METHOD /path/{param}"
	Access  Access
	Handler http.HandlerFunc
}

var (
	public      = Access{Public: true}
	anyUser     = Access{}
	operators   = Access{Roles: []auth.Role{auth.Operator, auth.Supervisor, auth.Admin}}
	managers    = Access{Roles: []auth.Role{auth.Manager, auth.Admin}}
	managersAPI = Access{Roles: managers.Roles, API: true}
	supervisors = Access{Roles: []auth.Role{auth.Supervisor, auth.Admin}}
	// supervisorsAPI: the live board's JSON, refetched by its page.
	supervisorsAPI = Access{Roles: supervisors.Roles, API: true}
	admins         = Access{Roles: []auth.Role{auth.Admin}}
	// registry: the people who plan and check outreach may see whom the bot can reach, phones included.
	registry = Access{Roles: []auth.Role{auth.Manager, auth.Supervisor, auth.Admin}}
	// staff: every role, named rather than left open, so a future role (an auditor, say) gets the simulator only
	// when someone decides it should.
	staff    = Access{Roles: []auth.Role{auth.Operator, auth.Manager, auth.Supervisor, auth.Admin}}
	staffAPI = Access{Roles: staff.Roles, API: true}
	// systems: the bank's systems pushing data, with an API token an administrator issued.
	systems = Access{API: true, Token: true, Scope: auth.ScopeImports}
	dialer  = Access{API: true, Token: true, Scope: auth.ScopeCallbacks}
)

// Routes is the role table.
func (ui *UI) Routes() []Route {
	return []Route{
		{"GET /healthz", public, ui.healthz},
		{"GET /readyz", public, ui.readyz},
		{"GET /metrics", public, ui.metrics},
		{"GET /static/", public, ui.static},
		{"GET /favicon.ico", public, ui.favicon},

		{"GET /login", public, ui.showLogin},
		{"POST /login", public, ui.submitLogin},
		{"POST /logout", anyUser, ui.logout},
		{"GET /{$}", anyUser, ui.home},

		{"GET /account", anyUser, ui.showAccount},
		{"POST /account/password", anyUser, ui.changePassword},
		{"POST /account/locale", anyUser, ui.changeLocale},
		{"POST /account/timezone", anyUser, ui.changeTimeZone},

		{"GET /console", operators, ui.showConsole},
		// The console's JSON API (console_api.go): the list, presence, the chat and its actions.
		{"GET /console/api/state", operatorsAPI, ui.consoleState},
		{"POST /console/api/presence", operatorsAPI, ui.consolePresence},
		{"POST /console/api/heartbeat", operatorsAPI, ui.consoleHeartbeat},
		{"POST /console/api/take-next", operatorsAPI, ui.consoleTakeNext},
		{"GET /console/api/dialogs/{id}", operatorsAPI, ui.consoleDialog},
		{"GET /console/api/dialogs/{id}/card", operatorsAPI, ui.consoleCard},
		{"GET /console/api/dialogs/{id}/scripts/{script}", operatorsAPI, ui.consoleScriptText},
		{"POST /console/api/dialogs/{id}/reply", operatorsAPI, ui.consoleReply},
		{"POST /console/api/dialogs/{id}/offers/{offer}", operatorsAPI, ui.consoleSendOffer},
		{"POST /console/api/dialogs/{id}/note", operatorsAPI, ui.consoleNote},
		{"POST /console/api/dialogs/{id}/read", operatorsAPI, ui.consoleRead},
		{"POST /console/api/dialogs/{id}/typing", operatorsAPI, ui.consoleTyping},
		{"POST /console/api/dialogs/{id}/outcome", operatorsAPI, ui.consoleOutcome},
		{"POST /console/api/dialogs/{id}/transfer", operatorsAPI, ui.consoleTransfer},
		{"POST /console/api/dialogs/{id}/close", operatorsAPI, ui.consoleClose},
		{"GET /console/api/dialogs/{id}/files/{file}", operatorsAPI, ui.consoleFile},
		{"GET /live", supervisors, ui.showLive},
		// The supervisor's tools: the live board and its JSON, any dialog read-only and reassigned, an operator's
		// capacity, queues and presence, scripts, offers, and callback tasks for the bank's dialer.
		{"GET /live/api/snapshot", supervisorsAPI, ui.liveSnapshot},
		{"GET /live/dialogs/{id}", supervisors, ui.showLiveDialog},
		{"POST /live/dialogs/{id}/reassign", supervisors, ui.reassignLiveDialog},
		{"POST /live/dialogs/{id}/qa", supervisors, ui.reviewLiveDialog},
		// The board's alarms: acknowledged from the banner, a queue's threshold set under the queues.
		{"POST /live/api/alarms/{id}/ack", supervisorsAPI, ui.acknowledgeAlarm},
		{"POST /live/thresholds", supervisors, ui.setAlarmThreshold},
		{"GET /live/operators/{id}", supervisors, ui.showLiveOperator},
		{"POST /live/operators/{id}/capacity", supervisors, ui.setOperatorCapacity},
		{"POST /live/operators/{id}/queues", supervisors, ui.setOperatorQueues},
		{"POST /live/operators/{id}/presence", supervisors, ui.setOperatorPresence},
		{"GET /scripts", supervisors, ui.showScripts},
		{"GET /scripts/new", supervisors, ui.showNewScript},
		{"POST /scripts", supervisors, ui.createScript},
		{"GET /scripts/{id}", supervisors, ui.showScript},
		{"POST /scripts/{id}", supervisors, ui.updateScript},
		{"POST /scripts/{id}/delete", supervisors, ui.deleteScript},
		{"GET /offers", supervisors, ui.showOffers},
		{"GET /offers/new", supervisors, ui.showNewOffer},
		{"POST /offers", supervisors, ui.createOffer},
		{"GET /offers/{id}", supervisors, ui.showOffer},
		{"POST /offers/{id}", supervisors, ui.updateOffer},
		{"POST /offers/{id}/delete", supervisors, ui.deleteOffer},
		{"GET /callbacks", supervisors, ui.showCallbacks},
		// A POST: the download records which tasks were handed over, so another site must not trigger it.
		{"POST /callbacks.csv", supervisors, ui.callbacksCSV},
		{"POST /callbacks/{id}/done", supervisors, ui.closeCallback},
		// The refusal reasons operators pick from (refusals_page.go).
		{"GET /refusal-reasons", supervisors, ui.showRefusalReasons},
		{"POST /refusal-reasons", supervisors, ui.createRefusalReason},
		{"POST /refusal-reasons/{id}", supervisors, ui.updateRefusalReason},
		// The conversion report over a period, and the same as an Excel file.
		{"GET /reports", dashboards, ui.showReports},
		{"GET /reports.xlsx", dashboards, ui.reportsXLSX},
		// The dialogs behind a figure of the report, and the QA sample (reports_dialogs.go).
		{"GET /reports/dialogs", dashboards, ui.showReportDialogs},
		{"GET /reports/dialogs.xlsx", dashboards, ui.reportDialogsXLSX},
		{"GET /reports/refusals", dashboards, ui.showRefusalsReport},
		{"GET /reports/refusals.xlsx", dashboards, ui.refusalsXLSX},
		// Live events for the console and live pages: a websocket that resumes after the last event id seen.
		{"GET /ws", liveEvents, ui.serveEvents},
		{"GET /contacts", registry, ui.showContacts},

		// Campaign managers' screens: the list with live progress, a campaign's page (its preview, audience,
		// actions, runs and invitations, and the form that edits it), and the lead rules.
		{"GET /campaigns", managers, ui.showCampaigns},
		{"GET /campaigns/api/progress", managersAPI, ui.campaignsProgress},
		{"GET /campaigns/api/schedule", managersAPI, ui.schedulePreview},
		{"POST /campaigns/api/preview", managersAPI, ui.livePreview},
		{"GET /campaigns/new", managers, ui.showNewCampaign},
		{"POST /campaigns", managers, ui.createCampaign},
		{"GET /campaigns/{id}", managers, ui.showCampaign},
		{"POST /campaigns/{id}", managers, ui.updateCampaign},
		{"POST /campaigns/{id}/run", managers, ui.runCampaign},
		{"POST /campaigns/{id}/activate", managers, ui.setCampaignStatus(campaigns.StatusActive, "campaign.activate")},
		{"POST /campaigns/{id}/pause", managers, ui.setCampaignStatus(campaigns.StatusPaused, "campaign.pause")},
		{"POST /campaigns/{id}/resume", managers, ui.setCampaignStatus(campaigns.StatusActive, "campaign.resume")},
		{"POST /campaigns/{id}/cancel", managers, ui.setCampaignStatus(campaigns.StatusCancelled, "campaign.cancel")},
		{"POST /campaigns/{id}/test", managers, ui.sendTestMessage},
		{"GET /campaigns/{id}/invitations.csv", managers, ui.invitationsCSV},
		{"GET /leads/rules", managers, ui.showLeadRules},
		{"POST /leads/rules", managers, ui.saveLeadRules},

		// Imports of the bank's files: upload, preview and map, import in the background with its progress, the
		// report and the history.
		{"GET /imports", managers, ui.showImports},
		{"POST /imports", managers, ui.uploadImport},
		{"GET /imports/samples/{file}", managers, ui.importSample},
		{"GET /imports/uploads/{upload}", managers, ui.showImportPreview},
		{"POST /imports/uploads/{upload}/import", managers, ui.startImport},
		{"GET /imports/jobs/{id}", managers, ui.showImportJob},
		{"GET /imports/jobs/{id}/problems.csv", managers, ui.importProblemsCSV},
		{"GET /imports/api/jobs/{id}", managersAPI, ui.importProgress},

		// The Telegram simulator, when no bot token is configured: the page, and what the clients it plays do.
		{"GET /sim", staff, ui.showSim},
		{"GET /sim/api/clients", staffAPI, ui.simClients},
		{"POST /sim/api/clients", staffAPI, ui.simCreateClient},
		{"GET /sim/api/chats/{id}", staffAPI, ui.simChat},
		{"POST /sim/api/chats/{id}/text", staffAPI, ui.simSendText},
		{"POST /sim/api/chats/{id}/media", staffAPI, ui.simSendMedia},
		{"POST /sim/api/chats/{id}/start", staffAPI, ui.simStart},
		{"POST /sim/api/chats/{id}/contact", staffAPI, ui.simShareContact},
		{"POST /sim/api/chats/{id}/press", staffAPI, ui.simPressButton},
		{"POST /sim/api/chats/{id}/block", staffAPI, ui.simBlock},
		{"POST /sim/api/chats/{id}/unblock", staffAPI, ui.simUnblock},

		{"GET /admin/users", admins, ui.showUsers},
		{"POST /admin/users", admins, ui.createUser},
		{"POST /admin/users/{id}", admins, ui.updateUser},
		{"POST /admin/users/{id}/password", admins, ui.resetPassword},
		{"GET /admin/audit", admins, ui.showAudit},
		{"GET /admin/audit.xlsx", admins, ui.auditXLSX},
		{"GET /admin/tokens", admins, ui.showTokens},
		{"POST /admin/tokens", admins, ui.issueToken},
		{"POST /admin/tokens/{id}/revoke", admins, ui.revokeToken},
		{"GET /admin/settings", admins, ui.showSettings},
		{"POST /admin/settings", admins, ui.saveSettings},
		{"GET /admin/bots", admins, ui.showBots},
		{"POST /admin/bots/{id}", admins, ui.renameBot},
		{"POST /admin/bots/{id}/enabled", admins, ui.switchBot},

		{"GET /api/v1/me", Access{API: true}, ui.apiMe},
		// The bank's systems push records as JSON, with an API token rather than a session.
		{"POST /api/v1/clients", systems, ui.apiImport(imports.Clients)},
		{"POST /api/v1/applications", systems, ui.apiImport(imports.Applications)},
		{"POST /api/v1/events", systems, ui.apiImport(imports.Events)},
		// The bank's dialer reads the callback tasks (clients' phones: a token of its own scope) and closes them.
		{"GET /api/v1/callbacks", dialer, ui.apiCallbacks},
		{"POST /api/v1/callbacks/{id}/done", dialer, ui.apiCallbackDone},

		{"POST /telegram/webhook", Access{Public: true, RawBody: true}, ui.telegramWebhook},
		{"POST /max/webhook", Access{Public: true, RawBody: true}, ui.maxWebhook},
	}
}

// landing is where each role starts after login.
func landing(r auth.Role) string {
	switch r {
	case auth.Operator:
		return "/console"
	case auth.Manager:
		return "/campaigns"
	case auth.Supervisor:
		return "/live"
	default:
		return "/admin/users"
	}
}

// navItem is a link in the side navigation, shown to the roles that may open it.
type navItem struct {
	Path, Label, Key string // Key: the keyboard shortcut after "g"
	Access           Access
}

var navigation = []navItem{
	{"/console", "nav.console", "c", operators},
	{"/campaigns", "nav.campaigns", "m", managers},
	{"/leads/rules", "nav.lead_rules", "r", managers},
	{"/imports", "nav.imports", "i", managers},
	{"/live", "nav.live", "l", supervisors},
	{"/scripts", "nav.scripts", "x", supervisors},
	{"/offers", "nav.offers", "o", supervisors},
	{"/callbacks", "nav.callbacks", "b", supervisors},
	{"/refusal-reasons", "nav.refusal_reasons", "y", supervisors},
	{"/reports", "nav.reports", "f", dashboards},
	{"/contacts", "nav.contacts", "k", registry},
	{"/sim", "nav.sim", "s", staff},
	{"/admin/users", "nav.users", "u", admins},
	{"/admin/audit", "nav.audit", "a", admins},
	{"/admin/tokens", "nav.tokens", "t", admins},
	{"/admin/settings", "nav.settings", "e", admins},
	{"/admin/bots", "nav.bots", "n", admins},
	{"/account", "nav.account", "p", anyUser},
}

func navFor(role auth.Role) []navItem {
	var out []navItem
	for _, n := range navigation {
		if n.Access.allows(role) {
			out = append(out, n)
		}
	}
	return out
}
