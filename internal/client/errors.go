package client

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// APIError is a non-2xx answer.
type APIError struct {
	Operation string
	Method    string
	Path      string // without query string
	Status    int
	Message   string // the server's own message, or the status text
	Attempts  int
	// RetryAfter is set when the server's rate limit holds requests
	// longer than the operation had left (TimeLeft): the request was not
	// repeated. API names the server in that advice.
	RetryAfter time.Duration
	TimeLeft   time.Duration
	API        string
}

// Error reads like
// "create campaign (POST /campaign/acme/bot): HTTP 409 Conflict: campaign already started".
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s %s): HTTP %d", e.Operation, e.Method, e.Path, e.Status)
	statusText := http.StatusText(e.Status)
	if statusText != "" {
		b.WriteString(" " + statusText)
	}
	if e.Message != "" && e.Message != statusText {
		b.WriteString(": " + e.Message)
	}
	b.WriteString(afterAttempts(e.Attempts))
	if advice := e.WaitAdvice(); advice != "" {
		b.WriteString("; " + advice)
	}
	return b.String()
}

// WaitAdvice says how long the server's rate limit holds requests when
// that was longer than the operation had left (RetryAfter), else "".
func (e *APIError) WaitAdvice() string {
	if e.RetryAfter <= 0 {
		return ""
	}
	return waitAdvice(cmp.Or(e.API, "the server"), e.RetryAfter, e.TimeLeft)
}

func waitAdvice(api string, wait, left time.Duration) string {
	// The wait in whole seconds, rounded up: "120s".
	return fmt.Sprintf("%s limits the rate of requests and asks to wait %ds before the next, longer than the %s this operation has left; "+
		"try again later, or give the operation more time (its timeouts block)", api, (wait+time.Second-1)/time.Second, formatLeft(left))
}

// formatLeft prints the time an operation has left: "200ms", "19m30s".
func formatLeft(d time.Duration) string {
	if d >= time.Second {
		return d.Round(time.Second).String()
	}
	return max(d, 0).Round(10 * time.Millisecond).String()
}

// TransportError is a request that got no answer: connection failures,
// timeouts, dropped connections.
type TransportError struct {
	Operation string
	Method    string
	URL       string // redacted
	Err       error  // without net/http's URL wrapper, which would carry secrets
	// MayHaveBeenProcessed is false only when no attempt can have reached
	// the server's handler.
	MayHaveBeenProcessed bool
	Timeout              bool
	Attempts             int
}

func (e *TransportError) Error() string {
	return fmt.Sprintf("%s (%s %s): %v", e.Operation, e.Method, e.URL, e.Err) + afterAttempts(e.Attempts)
}

func (e *TransportError) Unwrap() error { return e.Err }

func afterAttempts(attempts int) string {
	if attempts > 1 {
		return fmt.Sprintf(" (after %d attempts)", attempts)
	}
	return ""
}

// UnreadableAnswerError is a 2xx answer that the client could not use: the
// request ran on the server, but its result is not known.
type UnreadableAnswerError struct {
	Operation string
	Status    int
	Err       error
}

func (e *UnreadableAnswerError) Error() string {
	return fmt.Sprintf("%s: the server answered HTTP %d, but the answer could not be read: %v", e.Operation, e.Status, e.Err)
}

func (e *UnreadableAnswerError) Unwrap() error { return e.Err }

// IsNotFound reports whether err is an API answer 404.
func IsNotFound(err error) bool { return StatusOf(err) == http.StatusNotFound }

// StatusOf is the HTTP status of an *APIError in err, or 0.
func StatusOf(err error) int {
	if apiErr, ok := errors.AsType[*APIError](err); ok {
		return apiErr.Status
	}
	return 0
}

// MayHaveBeenProcessed reports whether the outcome of a failed request is
// unknown: it may have run on the server (timeout after sending, dropped
// connection, 5xx, an unreadable 2xx answer). It is false for connection
// failures before anything was sent, 4xx answers and cancellations before
// sending.
func MayHaveBeenProcessed(err error) bool {
	if transportErr, ok := errors.AsType[*TransportError](err); ok {
		return transportErr.MayHaveBeenProcessed
	}
	return errors.As(err, new(*UnreadableAnswerError)) || StatusOf(err) >= 500
}
