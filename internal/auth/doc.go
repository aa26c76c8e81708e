// Package auth owns who may use Dozvon: users and their roles, password checks with throttling, server-side
// sessions, API tokens and the audit log (tables users, sessions, login_throttle, api_tokens, audit_log). It
// renders nothing; operator-ui asks it and decides what to show.
package auth
