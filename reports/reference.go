package reports

// Reference is what a team working these leads by hand achieves (the bank's reference results, in its domain notes), for
// the dashboards to set the measured figures against. Each share has the same base as the measured one (Funnel's
// Reply, Consent and Convert); 0 means the bank gives no reference for it.
type Reference struct {
	Reply, Consent, Convert float64 // percentages
}

// References are the reference funnels by lead kind. Only missed calls have a reply reference (+10%
// contactability): follow-ups and cross-sell clients already talk to the bank.
var References = map[string]Reference{
	MissedCall: {Reply: 10, Consent: 18, Convert: 25},
	FollowUp:   {Consent: 85.4, Convert: 40.4},
	Acquiring:  {Consent: 7.1, Convert: 5.1},
}

// The service references: client messages answered within the first minute, and ratings that were a 5.
const (
	ReferenceAnsweredIn60 = 91.0
	ReferenceTopCSAT      = 95.0
)

// The quality references: the bank's target for the average QA score of reviewed dialogs, and what the reference
// team achieves (both out of 100).
const (
	ReferenceQATarget = 97.0
	ReferenceQA       = 99.8
)
