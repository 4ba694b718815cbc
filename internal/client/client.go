// Package client is the one HTTP layer shared by the Builder and Evolux
// clients: URL handling, headers, retries, error shapes and redacted logging.
// It has no Terraform imports; the provider injects its logger.
package client

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"time"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/go-retryablehttp"
)

// Logger receives one debug entry per HTTP attempt, already redacted.
type Logger interface {
	Debug(ctx context.Context, msg string, fields map[string]any)
}

// Config configures a Client.
type Config struct {
	BaseURL      string            // must pass ValidateBaseURL
	Timeout      time.Duration     // per HTTP attempt; 0 => 30s
	MaxRetries   int               // retries after the first attempt; negative => 0
	UserAgent    string            // "terraform-provider-campaigns/<version>"
	Logger       Logger            // may be nil
	RetryWaitMin time.Duration     // 0 => 250ms
	RetryWaitMax time.Duration     // 0 => 5s; Retry-After is honoured up to the context's deadline
	Transport    http.RoundTripper // optional; default a pooled keep-alive transport
	// Secrets are scrubbed from every error text and log entry; the API
	// client adds the tokens it receives. nil => a new, empty set.
	Secrets *Secrets
	// Name is the API's name in messages ("Builder"); "" => "the server".
	Name string
	// Clock reads the time and waits between attempts (backoff,
	// Retry-After): nil => the system's. A simulation passes its own.
	Clock Clock
	// MaxRequestsPerSecond caps the pace of requests; 0 => no cap.
	MaxRequestsPerSecond float64
}

// Clock is the time as the client sees it.
type Clock interface {
	Now() time.Time
	Sleep(ctx context.Context, d time.Duration)
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) Sleep(ctx context.Context, d time.Duration) {
	select {
	case <-time.After(d): // collected unfired once unreachable (Go 1.23)
	case <-ctx.Done():
	}
}

const (
	defaultTimeout      = 30 * time.Second
	defaultRetryWaitMin = 250 * time.Millisecond
	defaultRetryWaitMax = 5 * time.Second

	// maxIdleConnsPerHost keeps a pooled connection for every concurrent
	// request the clients make (Evolux paging), so connections are reused
	// instead of closed and dialled again.
	maxIdleConnsPerHost = 32

	// maxResponseBytes bounds a buffered answer; streamed answers are not
	// buffered.
	maxResponseBytes = 64 << 20
)

// Client sends requests to one API. It is safe for concurrent use. Its Clock
// (Now, Sleep) is the one the API clients time their own waits by.
type Client struct {
	Clock
	base       *url.URL
	userAgent  string
	logger     Logger
	maxRetries int
	// traced is true when the transport reports its progress through
	// httptrace, which is what tells "never sent" apart from "maybe sent".
	traced   bool
	retrying *retryablehttp.Client
	gate     *gate
	secrets  *Secrets
	name     string
}

// New returns a Client for cfg.
func New(cfg Config) (*Client, error) {
	if err := ValidateBaseURL(cfg.BaseURL); err != nil {
		return nil, err
	}
	base, _ := url.Parse(cfg.BaseURL) // as ValidateBaseURL parsed it
	transport := cfg.Transport
	if transport == nil {
		pooled := cleanhttp.DefaultPooledTransport()
		pooled.MaxIdleConnsPerHost = maxIdleConnsPerHost
		transport = pooled
	}
	_, traced := transport.(*http.Transport)
	transport = gatedTransport{transport}

	c := &Client{
		base:       base,
		userAgent:  cfg.UserAgent,
		logger:     cfg.Logger,
		maxRetries: max(cfg.MaxRetries, 0),
		traced:     traced,
		secrets:    cmp.Or(cfg.Secrets, NewSecrets()),
		name:       cmp.Or(cfg.Name, "the server"),
		Clock:      cmp.Or[Clock](cfg.Clock, systemClock{}),
	}
	// A negative duration is the default too.
	waitMin, waitMax := cmp.Or(max(cfg.RetryWaitMin, 0), defaultRetryWaitMin), cmp.Or(max(cfg.RetryWaitMax, 0), defaultRetryWaitMax)
	c.gate = newGate(c.Clock, cfg.MaxRequestsPerSecond, waitMin, waitMax)
	c.gate.api = c.name
	c.retrying = &retryablehttp.Client{
		HTTPClient: &http.Client{
			Transport:     transport,
			Timeout:       cmp.Or(max(cfg.Timeout, 0), defaultTimeout),
			CheckRedirect: checkRedirect,
		},
		// checkRetry counts the retries: a 429 is repeated until the
		// operation's deadline, anything else up to MaxRetries times.
		RetryMax:       math.MaxInt32,
		RequestLogHook: c.startAttempt,
		CheckRetry:     c.checkRetry,
		// checkRetry decides the wait, and startAttempt waits it (c.Clock).
		Backoff:      func(time.Duration, time.Duration, int, *http.Response) time.Duration { return 0 },
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}
	return c, nil
}

// Secrets is the set of secret values this client scrubs from errors and
// logs; API clients add the credentials and tokens they use.
func (c *Client) Secrets() *Secrets { return c.secrets }

// Request is one API call, possibly sent several times.
type Request struct {
	Operation string // human words used in errors and logs: "create campaign"
	Method    string
	Path      string // relative to BaseURL, or an absolute URL of the same origin
	Query     url.Values
	Header    http.Header
	Body      any // JSON-encoded when non-nil; json.RawMessage and Upload are sent as they are
	Policy    RetryPolicy
	// Authorize sets each attempt's credentials once the rate limit lets it
	// start, so that no attempt waits holding a token replaced meanwhile.
	// An error stops the request unsent.
	Authorize func(http.Header) error
}

// Upload is a request body that is not JSON (a file), sent as it is with its media type and
// logged by its size only: it may be megabytes of personal data.
type Upload struct {
	ContentType string
	Data        []byte
}

// Response is a buffered 2xx answer.
type Response struct {
	Status int
	Body   []byte
}

// Do sends req and returns its buffered 2xx answer; any other status is an
// *APIError, a failure to get an answer a *TransportError.
func (c *Client) Do(ctx context.Context, req *Request) (*Response, error) {
	resp, call, err := c.send(ctx, req, true) //nolint:bodyclose // read and closed by checkRetry (readBody)
	if err != nil {
		return nil, err
	}
	return &Response{Status: resp.StatusCode, Body: call.responseBody}, nil
}

// DoStream sends req and hands a 2xx answer to fn with its body unread, for
// stream decoding. Errors are as for Do, or fn's own.
func (c *Client) DoStream(ctx context.Context, req *Request, fn func(*http.Response) error) error {
	resp, _, err := c.send(ctx, req, false) //nolint:bodyclose // closed below
	if err != nil {
		return err
	}
	defer func() {
		// What fn left is read so that the connection goes back to the pool.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		_ = resp.Body.Close()
	}()
	return fn(resp)
}

func (c *Client) send(ctx context.Context, req *Request, buffered bool) (*http.Response, *call, error) {
	target, err := c.ResolveURL(req.Path, req.Query)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", req.Operation, err)
	}
	body, contentType, err := encodeBody(req.Body)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: encode request body: %w", req.Operation, err)
	}

	call := &call{req: req, url: target, requestBody: body, buffered: buffered}
	if contentType != jsonMediaType {
		call.requestBody, call.uploadBytes = nil, len(body)
	}
	httpReq, err := retryablehttp.NewRequestWithContext(call.context(ctx), req.Method, target.String(), nil)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", req.Operation, stripURL(err))
	}
	for name, values := range req.Header {
		httpReq.Header[http.CanonicalHeaderKey(name)] = append([]string(nil), values...)
	}
	httpReq.Header.Set("User-Agent", c.userAgent)
	httpReq.Header.Set("Accept", "application/json")
	if body != nil { // else no body at all, not an empty one
		_ = httpReq.SetBody(body) // a []byte cannot fail
		httpReq.Header.Set("Content-Type", contentType)
	}
	call.header = httpReq.Header

	resp, err := c.retrying.Do(httpReq)
	if err = cmp.Or(err, call.bodyErr); err != nil { // or the last answer's body could not be read
		if resp != nil {
			_ = resp.Body.Close()
		}
		return nil, nil, c.transportError(call, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		_ = resp.Body.Close()
		return nil, nil, c.apiError(call, resp)
	}
	return resp, call, nil
}

const jsonMediaType = "application/json"

func encodeBody(body any) ([]byte, string, error) {
	switch body := body.(type) {
	case nil:
		return nil, "", nil
	case Upload:
		return body.Data, body.ContentType, nil
	case json.RawMessage:
		if !json.Valid(body) {
			return nil, "", fmt.Errorf("not valid JSON")
		}
		return body, jsonMediaType, nil
	}
	data, err := marshal(body, false)
	return data, jsonMediaType, err
}

// marshal is json.Marshal with escapeHTML chosen: a body is sent and logged
// as written ("<" stays "<").
func marshal(v any, escapeHTML bool) ([]byte, error) {
	var buf bytes.Buffer
	encoder := json.NewEncoder(&buf)
	encoder.SetEscapeHTML(escapeHTML)
	if err := encoder.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
