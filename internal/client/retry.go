package client

import (
	"bytes"
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// RetryPolicy says when a request may be sent again.
type RetryPolicy int

const (
	// RetryIdempotent is for requests that are safe to repeat: it retries on
	// connection errors, timeouts, 429, 500, 502, 503 and 504.
	RetryIdempotent RetryPolicy = iota
	// RetryOnlyIfNotProcessed repeats a request only when it certainly did not
	// run: it was never sent (connection refused), or the answer was 429.
	// Never after a timeout, a dropped connection or a 5xx.
	RetryOnlyIfNotProcessed
)

// DefaultPatience is how long a 429 may hold a request whose context has no
// deadline (the provider's resources and action set theirs: timeouts).
const DefaultPatience = 5 * time.Minute

var errResponseTooLarge = errors.New("the answer is larger than 64 MiB")

// checkRetry is retryablehttp's CheckRetry: it finishes the attempt (reads a
// body that is to be buffered, classifies the outcome, logs) and decides by
// the request's own policy.
func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	call := callFrom(ctx)
	status := 0
	if resp != nil {
		status = resp.StatusCode
		if call.buffered || status < 200 || status > 299 {
			call.readBody(resp)
			err = cmp.Or(call.bodyErr, err)
		}
	}
	notProcessed := c.certainlyNotProcessed(call, status, err)
	if !notProcessed && (err != nil || status >= 500) {
		call.mayHaveBeenProcessed = true
	}
	retry := ctx.Err() == nil && call.req.Policy.allows(status, err, notProcessed)
	if call.slot {
		call.slot = false
		c.gate.release()
	}
	wait, hasWait := retryAfter(resp)
	switch {
	case status == http.StatusTooManyRequests || (hasWait && status == http.StatusServiceUnavailable):
		held := c.gate.refused(call.entered, wait, hasWait, status == http.StatusTooManyRequests)
		if left := timeLeft(ctx); held > left {
			// Retrying earlier than asked would only be refused again: stop,
			// and say how long the server asked to wait.
			call.retryAfter, call.timeLeft, retry = held, left, false
		}
	case resp != nil:
		c.gate.answer()
	}
	if retry && status != http.StatusTooManyRequests {
		// A 429 certainly did not run, so it is repeated until the deadline;
		// anything else counts against MaxRetries.
		retry = call.retries < c.maxRetries
		call.retries++
	}
	c.logAttempt(ctx, call, resp, err, retry)
	if ctxErr := ctx.Err(); ctxErr != nil {
		return false, ctxErr
	}
	if retry && !hasWait && status != http.StatusTooManyRequests {
		call.wait = backoff(c.gate.waitMin, c.gate.waitMax, call.retries-1)
	}
	return retry, nil
}

// certainlyNotProcessed is true only when the server cannot have acted on
// the attempt: the connection was never made, the request headers were never
// written (as far as the transport reports), the server answered 429, or it
// answered a 307 or 308 to another origin, which was not followed.
func (c *Client) certainlyNotProcessed(call *call, status int, err error) bool {
	if err != nil {
		return isDialError(err) || errors.Is(err, errNotActedOn) || (c.traced && !call.wroteHeaders.Load())
	}
	return status == http.StatusTooManyRequests
}

func (p RetryPolicy) allows(status int, err error, notProcessed bool) bool {
	if err != nil || status == http.StatusTooManyRequests { // a 429 was not processed
		return !isPermanent(err) && (p == RetryIdempotent || notProcessed)
	}
	return p == RetryIdempotent && slices.Contains(retryableStatuses, status)
}

var retryableStatuses = []int{http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout}

// isDialError is true for failures to connect (refused, unreachable, DNS):
// nothing was sent.
func isDialError(err error) bool {
	opErr, ok := errors.AsType[*net.OpError](err)
	return ok && opErr.Op == "dial"
}

// isPermanent errors fail the same way on every attempt.
func isPermanent(err error) bool {
	// errNotActedOn: not sent, or a refused 307/308; crypto/tls wraps every refused certificate.
	return errors.Is(err, errRedirectRefused) || errors.Is(err, errResponseTooLarge) || errors.Is(err, errNotActedOn) ||
		errors.As(err, new(*tls.CertificateVerificationError))
}

// backoff is exponential with jitter between minWait and maxWait: the wait
// when the server names none.
func backoff(minWait, maxWait time.Duration, attempt int) time.Duration {
	wait := max(retryablehttp.DefaultBackoff(minWait, maxWait, attempt, nil), 0)
	// Jitter in the upper half spreads out clients that failed together.
	return max(wait/2+rand.N(wait/2+1), minWait)
}

// retryAfter is the wait a 429 or 503 answer asks for. Not
// retryablehttp's own reading: a huge value overflows it.
func retryAfter(resp *http.Response) (time.Duration, bool) {
	if resp == nil || (resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable) {
		return 0, false
	}
	return parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
}

// maxParsedRetryAfter bounds a parsed wait so that the arithmetic on it
// cannot overflow; any wait this long is "try again later" anyway.
const maxParsedRetryAfter = 1000 * time.Hour

// parseRetryAfter reads Retry-After as seconds or as an HTTP date.
func parseRetryAfter(value string, now time.Time) (time.Duration, bool) {
	value = strings.TrimSpace(value)
	if seconds, err := strconv.ParseInt(value, 10, 64); err == nil && seconds >= 0 {
		return time.Duration(min(seconds, int64(maxParsedRetryAfter/time.Second))) * time.Second, true
	}
	when, err := http.ParseTime(value) // a zero time on failure, so a wait of 0
	return min(max(when.Sub(now), 0), maxParsedRetryAfter), err == nil
}

// readBody buffers an answer's body so that it can be logged and used for
// the error message, and replaces it with the buffer.
func (call *call) readBody(resp *http.Response) {
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	_ = resp.Body.Close()
	if err == nil && len(body) > maxResponseBytes {
		err = errResponseTooLarge
	}
	call.responseBody, call.bodyErr = body, err
	resp.Body = io.NopCloser(bytes.NewReader(body))
}
