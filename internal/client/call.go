package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// call is one Request across its attempts. retryablehttp's hooks only see
// the http.Request, so the call travels in its context.
type call struct {
	req         *Request
	url         *url.URL
	requestBody []byte
	uploadBytes int // the size of an Upload, logged instead of its body
	header      http.Header
	buffered    bool // read 2xx bodies too (Do), not only errors (DoStream)

	// The state of the current attempt.
	attempts     int
	retries      int         // attempts repeated for another reason than a 429
	slot         bool        // holds a place in the gate
	notSent      error       // the gate kept the attempt from being sent
	started      time.Time   // for the log
	entered      time.Time   // on the client's clock, for the gate
	wroteHeaders atomic.Bool // set from the transport's goroutines
	responseBody []byte
	bodyErr      error

	// mayHaveBeenProcessed is true once any attempt may have run on the server.
	mayHaveBeenProcessed bool
	// retryAfter is how long the rate limit held requests when that was
	// longer than the timeLeft: the call stopped instead of waiting.
	retryAfter, timeLeft time.Duration
	// wait is how long to wait before the next attempt.
	wait time.Duration
}

type callKey struct{}

func (call *call) context(ctx context.Context) context.Context {
	ctx = context.WithValue(ctx, callKey{}, call)
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteHeaders: func() { call.wroteHeaders.Store(true) },
	})
}

// callFrom is the call of a request that send made: the only requests
// c.retrying sees.
func callFrom(ctx context.Context) *call {
	call, _ := ctx.Value(callKey{}).(*call)
	return call
}

// startAttempt is retryablehttp's RequestLogHook, run before every attempt:
// it waits what checkRetry decided, then starts the attempt.
func (c *Client) startAttempt(_ retryablehttp.Logger, req *http.Request, _ int) {
	call := callFrom(req.Context())
	if call.wait > 0 {
		c.Sleep(req.Context(), call.wait)
		call.wait = 0
	}
	call.notSent = c.gate.enter(req.Context())
	call.slot = call.notSent == nil
	if call.slot && call.req.Authorize != nil {
		if err := call.req.Authorize(req.Header); err != nil {
			call.notSent = &unsentError{err}
		}
	}
	call.attempts++
	call.started, call.entered = time.Now(), c.Now()
	call.wroteHeaders.Store(false)
	call.responseBody, call.bodyErr = nil, nil
}

// logAttempt writes one redacted debug entry per attempt.
func (c *Client) logAttempt(ctx context.Context, call *call, resp *http.Response, err error, willRetry bool) {
	if c.logger == nil {
		return
	}
	fields := map[string]any{
		"operation":       call.req.Operation,
		"method":          call.req.Method,
		"path":            call.url.EscapedPath(),
		"url":             RedactURL(call.url),
		"attempt":         call.attempts,
		"duration_ms":     time.Since(call.started).Milliseconds(),
		"status":          0,
		"request_headers": RedactHeader(call.header),
		"retry":           willRetry,
	}
	if len(call.requestBody) > 0 {
		fields["request_body"] = redactBodyForLog(call.requestBody, c.secrets)
	}
	if call.uploadBytes > 0 {
		fields["request_bytes"] = call.uploadBytes
	}
	if resp != nil {
		fields["status"] = resp.StatusCode
		fields["response_headers"] = RedactHeader(resp.Header)
		if call.responseBody != nil {
			fields["response_body"] = redactBodyForLog(call.responseBody, c.secrets)
		}
	}
	if err != nil {
		fields["error"] = stripURL(err).Error()
	}
	c.secrets.scrubFields(fields)
	c.logger.Debug(ctx, c.secrets.Scrub("HTTP "+call.req.Operation), fields)
}

// unsentError is an attempt its Authorize stopped: not sent, not repeated.
type unsentError struct{ err error }

func (e *unsentError) Error() string   { return "not sent: " + e.err.Error() }
func (e *unsentError) Unwrap() []error { return []error{e.err, errNotActedOn} }

// gatedTransport sends an attempt only when the gate let it start.
type gatedTransport struct{ http.RoundTripper }

func (t gatedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if call := callFrom(req.Context()); call.notSent != nil {
		return nil, call.notSent
	}
	return t.RoundTripper.RoundTrip(req)
}

func (c *Client) apiError(call *call, resp *http.Response) *APIError {
	// Scrubbed before ServerMessage caps it, so no secret is cut in two.
	message := ServerMessage(resp.Header.Get("Content-Type"), []byte(c.secrets.Scrub(string(call.responseBody))))
	if location, err := resp.Location(); err == nil && resp.StatusCode >= 300 && resp.StatusCode <= 399 {
		message = c.secrets.Scrub(fmt.Sprintf("the server redirects %s to %s, which would change the method; check the base URL",
			call.req.Method, RedactURL(location)))
	}
	if message == "" {
		message = http.StatusText(resp.StatusCode)
	}
	return &APIError{
		Operation:  call.req.Operation,
		Method:     call.req.Method,
		Path:       c.secrets.Scrub(call.url.EscapedPath()),
		Status:     resp.StatusCode,
		Message:    message,
		Attempts:   call.attempts,
		API:        c.name,
		RetryAfter: call.retryAfter,
		TimeLeft:   call.timeLeft,
	}
}

func (c *Client) transportError(call *call, err error) *TransportError {
	urlErr, isURLErr := errors.AsType[*url.Error](err)
	timeout := isURLErr && urlErr.Timeout()
	return &TransportError{
		Operation:            call.req.Operation,
		Method:               call.req.Method,
		URL:                  c.secrets.Scrub(RedactURL(call.url)),
		Err:                  c.secrets.ScrubError(stripURL(err)),
		MayHaveBeenProcessed: call.mayHaveBeenProcessed,
		Timeout:              timeout || errors.Is(err, context.DeadlineExceeded),
		Attempts:             call.attempts,
	}
}

// stripURL drops the *url.Error wrapper that net/http puts around transport
// errors: its text carries the full URL, query (and so apikey) included.
func stripURL(err error) error {
	if urlErr, ok := errors.AsType[*url.Error](err); ok && urlErr.Err != nil {
		return urlErr.Err
	}
	return err
}
