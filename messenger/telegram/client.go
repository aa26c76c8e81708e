package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"dozvon/internal/msg"
	"dozvon/messenger"
)

// Client calls the Bot API. It implements messenger.Channel.
type Client struct {
	bot     *tg.Bot
	token   string
	apiURL  string
	sendURL string
	http    *http.Client
	// roundTrip, when set, is http's transport, called directly by sendMessage: the client would add nothing
	// to its requests (no timeout, cookies or redirect policy) but a copy of the headers and a cancel context
	// per request. The Bot API answers sendMessage itself, never with a redirect.
	roundTrip http.RoundTripper
	// sendRequest, set with roundTrip, is the template of every sendMessage request, without body or context.
	sendRequest *http.Request
}

// NewClient returns a client for token at apiURL (Telegram's, or any Bot API-compatible server).
func NewClient(token, apiURL string, httpClient *http.Client) (*Client, error) {
	if httpClient == nil {
		// Idle connections for more than the sender's workers, so that none is ever re-dialled. No gzip: the
		// Bot API's responses are a few hundred bytes, and asking for it costs a header each way.
		httpClient = &http.Client{Transport: &http.Transport{
			MaxIdleConns: 256, MaxIdleConnsPerHost: 256, IdleConnTimeout: 90 * time.Second,
			DisableCompression: true,
		}}
	}
	b, err := tg.New(token, tg.WithServerURL(apiURL), tg.WithSkipGetMe(),
		tg.WithHTTPClient(65*time.Second, httpClient), tg.WithErrorsHandler(func(error) {}))
	if err != nil {
		return nil, fmt.Errorf("telegram: %w", err)
	}
	apiURL = strings.TrimRight(apiURL, "/")
	c := &Client{bot: b, token: token, apiURL: apiURL, sendURL: apiURL + "/bot" + token + "/sendMessage",
		http: httpClient}
	if httpClient.Timeout == 0 && httpClient.Jar == nil && httpClient.CheckRedirect == nil {
		c.roundTrip = httpClient.Transport
		if c.roundTrip == nil {
			c.roundTrip = http.DefaultTransport
		}
		// An unparsable URL leaves sendRequest unset: sendMessage then reports it, as a permanent error.
		if req, err := http.NewRequest(http.MethodPost, c.sendURL, nil); err == nil {
			req.Header = sendHeader
			c.sendRequest = req
		}
	}
	return c, nil
}

// Me returns the bot's username (for deep links).
func (c *Client) Me(ctx context.Context) (string, error) {
	u, err := c.bot.GetMe(ctx)
	if err != nil {
		return "", classify(err)
	}
	return u.Username, nil
}

// Send sends a text message in HTML parse mode with its buttons.
//
// This one call bypasses go-telegram/bot: the library encodes every request as chunked multipart through an
// io.Pipe and a goroutine, which measured four times slower than a JSON body against the same server
// (docs/BENCHMARKS.md), and sendMessage is the broadcast hot path (sendmessage.go). The request and error shapes
// are the Bot API's.
func (c *Client) Send(ctx context.Context, m messenger.Message) (string, error) {
	if err := m.Validate(); err != nil {
		return "", err
	}
	id, err := c.sendMessage(ctx, m)
	if err != nil {
		return "", err
	}
	return strconv.FormatInt(id, 10), nil
}

// apiError is the Bot API's error shape.
type apiError struct {
	Code        int    `json:"error_code"`
	Description string `json:"description"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

// call posts params as JSON to a Bot API method and decodes the result into dest.
func (c *Client) call(ctx context.Context, method string, params, dest any) error {
	body, err := json.Marshal(params)
	if err != nil {
		return &messenger.PermanentError{Reason: err.Error()}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.apiURL+"/bot"+c.token+"/"+method, bytes.NewReader(body))
	if err != nil {
		return &messenger.PermanentError{Reason: err.Error()}
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("telegram: %s: %w", method, scrubToken(err, c.token))
	}
	defer res.Body.Close()
	var out struct {
		OK     bool            `json:"ok"`
		Result json.RawMessage `json:"result"`
		apiError
	}
	if err := json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(&out); err != nil {
		// A proxy's HTML error page or a cut connection: worth a retry.
		return fmt.Errorf("telegram: %s: HTTP %d with an unreadable body: %w", method, res.StatusCode, err)
	}
	if !out.OK {
		return apiErr(method, out.apiError)
	}
	if dest != nil {
		if err := json.Unmarshal(out.Result, dest); err != nil {
			return fmt.Errorf("telegram: %s: decode result: %w", method, err)
		}
	}
	return nil
}

func apiErr(method string, e apiError) error {
	desc := e.Description
	switch {
	case e.Code == http.StatusTooManyRequests:
		return &messenger.RetryAfterError{After: time.Duration(max(e.Parameters.RetryAfter, 1)) * time.Second}
	case e.Code == http.StatusForbidden:
		return fmt.Errorf("%w (%s)", messenger.ErrBlocked, desc)
	case e.Code == http.StatusBadRequest && strings.Contains(strings.ToLower(desc), "chat not found"):
		return fmt.Errorf("%w (%s)", messenger.ErrChatNotFound, desc)
	case e.Code >= 400 && e.Code < 500:
		return &messenger.PermanentError{Reason: fmt.Sprintf("%s: %d %s", method, e.Code, desc),
			Msg: msg.New("messenger.telegram_refused", method, e.Code, desc)}
	}
	return fmt.Errorf("telegram: %s: %d %s", method, e.Code, desc) // 5xx: worth a retry
}

// scrubToken keeps the bot token out of errors that quote the request URL.
func scrubToken(err error, token string) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		ue.URL = strings.ReplaceAll(ue.URL, token, "***")
	}
	return err
}

// Typing shows "typing…" in the client's chat for a few seconds.
func (c *Client) Typing(ctx context.Context, chatID int64) error {
	_, err := c.bot.SendChatAction(ctx, &tg.SendChatActionParams{ChatID: chatID, Action: models.ChatActionTyping})
	return classify(err)
}

// AnswerCallback stops the spinner on a pressed button, optionally with a short notice.
func (c *Client) AnswerCallback(ctx context.Context, callbackID, text string) error {
	_, err := c.bot.AnswerCallbackQuery(ctx, &tg.AnswerCallbackQueryParams{CallbackQueryID: callbackID, Text: text})
	return classify(err)
}

// SetWebhook points Telegram at url with a secret it will send in every delivery.
func (c *Client) SetWebhook(ctx context.Context, url, secret string) error {
	_, err := c.bot.SetWebhook(ctx, &tg.SetWebhookParams{URL: url, SecretToken: secret,
		AllowedUpdates: allowedUpdates})
	return classify(err)
}

// WebhookURL is where Telegram delivers the bot's updates, or "" in long-polling mode.
func (c *Client) WebhookURL(ctx context.Context) (string, error) {
	info, err := c.bot.GetWebhookInfo(ctx)
	if err != nil {
		return "", classify(err)
	}
	return info.URL, nil
}

var allowedUpdates = []string{"message", "callback_query", "my_chat_member"}

// classify maps the library's errors onto messenger's, which the sender acts on.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var flood *tg.TooManyRequestsError
	switch {
	case errors.As(err, &flood):
		return &messenger.RetryAfterError{After: time.Duration(max(flood.RetryAfter, 1)) * time.Second}
	case errors.Is(err, tg.ErrorForbidden):
		return fmt.Errorf("%w (%v)", messenger.ErrBlocked, err)
	case errors.Is(err, tg.ErrorBadRequest) && strings.Contains(strings.ToLower(err.Error()), "chat not found"):
		return fmt.Errorf("%w (%v)", messenger.ErrChatNotFound, err)
	case errors.Is(err, tg.ErrorBadRequest), errors.Is(err, tg.ErrorUnauthorized), errors.Is(err, tg.ErrorNotFound):
		return &messenger.PermanentError{Reason: err.Error()}
	}
	return err // 5xx, timeouts, broken connections: worth a retry
}
