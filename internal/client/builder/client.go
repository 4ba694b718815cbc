// Package builder is the client of the Fintalk Builder campaign module API.
package builder

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/singleflight"

	"github.com/campaignops/terraform-provider-campaigns/internal/client"
)

// Credentials are the provider's Builder credentials; the caller checks the ones an operation needs.
type Credentials struct {
	User     string
	Password string
	APIKey   string
}

// OperationLogin names the login in errors.
const OperationLogin = "log in to Builder"

// Client is a Builder API client: one token pair for every goroutine (N first calls, one login).
type Client struct {
	http    *client.Client
	creds   Credentials
	mu      sync.Mutex
	tokens  Tokens
	refused bool // the server refused tokens.Token (or there is none yet): callers join its renewal
	flights singleflight.Group
	lists   listCache
	claimed sync.Map    // ids some state holds: never adopted by findUnclaimed
	idsKept atomic.Bool // the server kept an id we sent: nothing is looked for by its fields
}

func (c *Client) claim(id string) {
	if id != "" {
		c.claimed.Store(id, true)
	}
}

// New returns a Builder client over http; the credentials and every token are http's secrets.
func New(http *client.Client, creds Credentials) *Client {
	http.Secrets().Add(creds.Password, creds.APIKey)
	return &Client{http: http, creds: creds, lists: listCache{bots: map[botKey]*botState{}}}
}

// Tokens returns the current token pair, after a login or the renewal of a refused one.
func (c *Client) Tokens(ctx context.Context) (Tokens, error) {
	tokens, refused := c.current()
	if refused || tokens.Token == "" {
		return c.renew(ctx, tokens.Token) // the first login renews no token
	}
	return tokens, nil
}

// renew replaces a refused token (by refresh, else login) once for all concurrent callers; one caller
// giving up does not stop it.
func (c *Client) renew(ctx context.Context, refused string) (Tokens, error) {
	c.mu.Lock()
	if c.tokens.Token == refused {
		c.refused = true
	}
	c.mu.Unlock()
	flightCtx := context.WithoutCancel(ctx)
	results := c.flights.DoChan("renew", func() (any, error) {
		current, _ := c.current()
		if current.Token != "" && current.Token != refused {
			return current, nil // renewed just before this one started
		}
		if current.RefreshToken != "" {
			refresh := RefreshRequest{RefreshToken: current.RefreshToken}
			if tokens, err := c.exchange(flightCtx, "refresh Builder token", PathRefresh, refresh, current.RefreshToken); err == nil {
				return tokens, nil
			} // else a login may still work (the refresh is in the debug log)
		}
		login := LoginRequest{User: c.creds.User, Password: c.creds.Password}
		tokens, err := c.exchange(flightCtx, OperationLogin, PathLogin, login, "")
		if status := client.StatusOf(err); status == http.StatusUnauthorized || status == http.StatusForbidden {
			return Tokens{}, fmt.Errorf("builder refused the login of %q: %w", c.creds.User, err)
		}
		return tokens, err
	})
	select {
	case result := <-results:
		tokens, _ := result.Val.(Tokens) // zero with an error
		return tokens, result.Err
	case <-ctx.Done():
		return Tokens{}, ctx.Err()
	}
}

func (c *Client) current() (Tokens, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tokens, c.refused
}

// exchange makes a login or refresh answer the pair (no new refresh token keeps refreshToken).
func (c *Client) exchange(ctx context.Context, operation, path string, body any, refreshToken string) (Tokens, error) {
	resp, err := c.http.Do(ctx, &client.Request{Operation: operation, Method: http.MethodPost, Path: path, Body: body, Policy: client.RetryIdempotent})
	if err != nil {
		return Tokens{}, err
	}
	var answer tokensAnswer
	err = json.Unmarshal(resp.Body, &answer)
	tokens := Tokens{Token: cmp.Or(answer.Token, answer.AccessToken), RefreshToken: answer.RefreshToken}
	if err != nil || tokens.Token == "" {
		return Tokens{}, c.unreadable(operation, resp, cmp.Or(err, errors.New("no token in the answer")))
	}
	c.http.Secrets().Add(tokens.Token, tokens.RefreshToken)
	tokens.RefreshToken = cmp.Or(tokens.RefreshToken, refreshToken)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tokens, c.refused = tokens, false
	return tokens, nil
}

// do sends a request with the bearer token, renewed and repeated once if refused (a 401 did not run).
// The token is read when the attempt starts, after any wait for the rate limit: a request that
// waited while the token was refused waits for its renewal instead of sending it.
func (c *Client) do(ctx context.Context, req client.Request) (*client.Response, error) {
	var sent string // the token of the last attempt
	req.Authorize = func(h http.Header) error {
		tokens, refused := c.current()
		if refused || tokens.Token == "" {
			return errRenewing
		}
		sent = tokens.Token
		h.Set(HeaderAuthorization, "Bearer "+sent)
		return nil
	}
	for renewed := false; ; {
		if _, err := c.Tokens(ctx); err != nil {
			return nil, &authError{err}
		}
		resp, err := c.http.Do(ctx, &req)
		switch {
		case errors.Is(err, errRenewing):
			continue // not sent: Tokens waits for the renewal
		case renewed || !isRefusedToken(err):
			return resp, err
		}
		if _, err := c.renew(ctx, sent); err != nil {
			return nil, &authError{err}
		}
		renewed = true
	}
}

var errRenewing = errors.New("the token is being renewed")

// isRefusedToken: a 401, or FastAPI's 403 "Not authenticated".
func isRefusedToken(err error) bool {
	apiErr, ok := errors.AsType[*client.APIError](err)
	return ok && (apiErr.Status == http.StatusUnauthorized ||
		apiErr.Status == http.StatusForbidden && apiErr.Message == DetailNotAuthenticated)
}

// authError is a failure to obtain a token: the request itself was not sent.
type authError struct{ err error }

func (e *authError) Error() string { return e.err.Error() }
func (e *authError) Unwrap() error { return e.err }
