package max

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"dozvon/internal/msg"
	"dozvon/messenger"
)

// DefaultAPIURL is MAX's Bot API (the specification names platform-api2.max.ru, an older address of it).
const DefaultAPIURL = "https://platform-api.max.ru"

// DefaultRetryAfter is how long the bot waits after a 429 that says nothing of when to come back: MAX documents a
// limit of 30 requests a second per bot and no Retry-After, so a second empties the window that was full.
const DefaultRetryAfter = time.Second

// DefaultUnavailableWait is how long the bot waits after a 503 without Retry-After: MAX is down or shedding load,
// and a whole bot's sends retried every second would add to it.
const DefaultUnavailableWait = 5 * time.Second

// Client calls the MAX Bot API with one bot's token.
type Client struct {
	token string
	base  string
	http  *http.Client
}

// NewClient returns a client for token at apiURL (DefaultAPIURL, or the fake's). httpClient nil: one without a
// timeout of its own, since every call carries a context and long polls are held open for a while.
func NewClient(token, apiURL string, httpClient *http.Client) *Client {
	if httpClient == nil {
		httpClient = &http.Client{Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256,
			IdleConnTimeout: 90 * time.Second}}
	}
	return &Client{token: token, base: strings.TrimRight(apiURL, "/"), http: httpClient}
}

// authorize puts the bot's token on a request: the one place that decides how (see the package comment).
func (c *Client) authorize(req *http.Request) {
	req.Header.Set("Authorization", c.token)
}

// apiError is MAX's error body: a key ("chat.denied", "too.many.requests") and a message.
type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// call sends one request and decodes a 200's JSON into dest (nil: ignore it).
func (c *Client) call(ctx context.Context, method, path string, query url.Values, body, dest any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return &messenger.PermanentError{Reason: fmt.Sprintf("max: %s %s: %v", method, path, err)}
		}
		rd = bytes.NewReader(b)
	}
	u := c.base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return &messenger.PermanentError{Reason: fmt.Sprintf("max: %s %s: %v", method, path, err)}
	}
	c.authorize(req)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.http.Do(req)
	if err != nil {
		// The token is in a header, never in err's URL.
		return messenger.Coded(fmt.Errorf("max: %s %s: %w", method, path, err), "max.unreachable", method+" "+path)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 8<<20))
	if err != nil {
		return fmt.Errorf("max: %s %s: HTTP %d, reading the body: %w", method, path, res.StatusCode, err)
	}
	if res.StatusCode != http.StatusOK {
		return statusError(method+" "+path, res, raw)
	}
	if dest == nil {
		return nil
	}
	if err := json.Unmarshal(raw, dest); err != nil {
		return fmt.Errorf("max: %s %s: decode the answer: %w", method, path, err)
	}
	return nil
}

// statusError maps a non-200 answer onto messenger's errors, which the sender acts on.
func statusError(call string, res *http.Response, raw []byte) error {
	var e apiError
	_ = json.Unmarshal(raw, &e)
	desc := strings.TrimSpace(e.Code + " " + e.Message)
	if desc == "" {
		desc = http.StatusText(res.StatusCode)
	}
	key := strings.ToLower(e.Code + " " + e.Message)
	// A person reads MAX's error key (chat.denied, proto.payload), not its message, which is English prose: that
	// stays in the logs.
	switch {
	case res.StatusCode == http.StatusTooManyRequests:
		return &messenger.RetryAfterError{After: retryAfter(res, DefaultRetryAfter)}
	case res.StatusCode == http.StatusServiceUnavailable:
		return &messenger.RetryAfterError{After: retryAfter(res, DefaultUnavailableWait)}
	case res.StatusCode == http.StatusForbidden:
		// chat.denied / error.dialog.suspended: the user stopped or blocked the bot, or deleted the dialog.
		return messenger.Coded(fmt.Errorf("%w (max: %s: %s)", messenger.ErrBlocked, call, desc), "max.blocked", call, e.Code)
	case res.StatusCode == http.StatusNotFound || strings.Contains(key, "not.found"):
		return messenger.Coded(fmt.Errorf("%w (max: %s: %s)", messenger.ErrChatNotFound, call, desc), "max.chat_not_found",
			call, e.Code)
	case res.StatusCode >= 400 && res.StatusCode < 500:
		return &messenger.PermanentError{Reason: fmt.Sprintf("max: %s: %d %s", call, res.StatusCode, desc),
			Msg: msg.New("max.refused", call, res.StatusCode, e.Code)}
	}
	// 5xx: worth a retry.
	return messenger.Coded(fmt.Errorf("max: %s: %d %s", call, res.StatusCode, desc), "max.failed", call, res.StatusCode, e.Code)
}

// retryAfter reads a Retry-After in seconds, if MAX (or a proxy in front of it) sent one.
func retryAfter(res *http.Response, def time.Duration) time.Duration {
	if s, err := strconv.Atoi(strings.TrimSpace(res.Header.Get("Retry-After"))); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	return def
}

// Bot is the bot as GET /me describes it.
type Bot struct {
	UserID    int64  `json:"user_id"`
	FirstName string `json:"first_name"`
	Username  string `json:"username"`
}

// Me returns the bot (its username makes deep links).
func (c *Client) Me(ctx context.Context) (Bot, error) {
	var b Bot
	err := c.call(ctx, http.MethodGet, "/me", nil, nil, &b)
	return b, err
}

// Recipient is whom a message goes to: a chat (a dialog's chat_id) or a user; exactly one is set.
type Recipient struct {
	ChatID int64
	UserID int64
}

func (r Recipient) query() (url.Values, error) {
	switch {
	case r.ChatID != 0 && r.UserID == 0:
		return url.Values{"chat_id": {strconv.FormatInt(r.ChatID, 10)}}, nil
	case r.UserID != 0 && r.ChatID == 0:
		return url.Values{"user_id": {strconv.FormatInt(r.UserID, 10)}}, nil
	}
	return nil, &messenger.PermanentError{Reason: "max: a message needs a chat or a user, exactly one"}
}

// SendMessage sends body to to and returns the message's id (mid).
func (c *Client) SendMessage(ctx context.Context, to Recipient, body NewMessageBody) (string, error) {
	q, err := to.query()
	if err != nil {
		return "", err
	}
	var out struct {
		Message struct {
			Body struct {
				Mid string `json:"mid"`
			} `json:"body"`
		} `json:"message"`
	}
	if err := c.call(ctx, http.MethodPost, "/messages", q, body, &out); err != nil {
		return "", err
	}
	if out.Message.Body.Mid == "" {
		return "", fmt.Errorf("max: POST /messages: the answer has no message id")
	}
	return out.Message.Body.Mid, nil
}

// AnswerCallback answers a button press (callbackID from the message_callback update), with a one-time
// notification for the user when notification is not empty. MAX wants something in the body: an empty
// notification is sent as null, which only acknowledges the press.
func (c *Client) AnswerCallback(ctx context.Context, callbackID, notification string) error {
	body := map[string]any{"notification": nil}
	if notification != "" {
		body["notification"] = notification
	}
	return c.call(ctx, http.MethodPost, "/answers", url.Values{"callback_id": {callbackID}}, body, nil)
}

// TypingOn shows "typing…" in the chat.
func (c *Client) TypingOn(ctx context.Context, chatID int64) error {
	return c.call(ctx, http.MethodPost, "/chats/"+strconv.FormatInt(chatID, 10)+"/actions", nil,
		map[string]string{"action": "typing_on"}, nil)
}

// UpdateTypes are the updates Dozvon asks for: what clients write and press, and whether they start or stop the
// bot or delete the dialog.
var UpdateTypes = []string{TypeMessageCreated, TypeMessageCallback, TypeBotStarted, TypeBotStopped,
	TypeDialogRemoved, TypeUserRemoved}

// Batch is one answer of GET /updates: the updates as MAX sent them, and the marker to ask from next time
// (nil when MAX gave none: ask again with the same one).
type Batch struct {
	Updates []json.RawMessage `json:"updates"`
	Marker  *int64            `json:"marker"`
}

// Updates long-polls GET /updates: the updates after marker (nil: MAX's choice, the latest), waiting up to
// timeout for one, at most limit of them (0: MAX's default), of the given types (none: all).
func (c *Client) Updates(ctx context.Context, marker *int64, limit int, timeout time.Duration, types []string) (Batch, error) {
	q := url.Values{"timeout": {strconv.Itoa(int(timeout.Seconds()))}}
	if marker != nil {
		q.Set("marker", strconv.FormatInt(*marker, 10))
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	if len(types) > 0 {
		q.Set("types", strings.Join(types, ","))
	}
	var b Batch
	err := c.call(ctx, http.MethodGet, "/updates", q, nil, &b)
	return b, err
}

// Subscription is a webhook MAX delivers updates to.
type Subscription struct {
	URL         string   `json:"url"`
	Time        int64    `json:"time"`
	UpdateTypes []string `json:"update_types"`
}

// Subscribe points MAX's webhook at url (https, port 443) with a secret (5-256 of A-Z, a-z, 0-9, _ and -) that
// MAX sends in the X-Max-Bot-Api-Secret header of every delivery. Long polling stops working while it is set.
func (c *Client) Subscribe(ctx context.Context, url, secret string) error {
	return c.simple(ctx, http.MethodPost, "/subscriptions", nil,
		map[string]any{"url": url, "update_types": UpdateTypes, "secret": secret})
}

// Subscriptions lists the bot's webhooks.
func (c *Client) Subscriptions(ctx context.Context) ([]Subscription, error) {
	var out struct {
		Subscriptions []Subscription `json:"subscriptions"`
	}
	err := c.call(ctx, http.MethodGet, "/subscriptions", nil, nil, &out)
	return out.Subscriptions, err
}

// Unsubscribe removes the webhook at url, so that long polling works again.
func (c *Client) Unsubscribe(ctx context.Context, url string) error {
	return c.simple(ctx, http.MethodDelete, "/subscriptions", map[string][]string{"url": {url}}, nil)
}

// simple calls a method that answers SimpleQueryResult: a 200 may still say it failed.
func (c *Client) simple(ctx context.Context, method, path string, query url.Values, body any) error {
	var out struct {
		Success bool   `json:"success"`
		Message string `json:"message"`
	}
	if err := c.call(ctx, method, path, query, body, &out); err != nil {
		return err
	}
	if !out.Success {
		return &messenger.PermanentError{Reason: fmt.Sprintf("max: %s %s: %s", method, path, out.Message)}
	}
	return nil
}
