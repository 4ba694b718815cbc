// Package builder is the client of the Fintalk Builder campaign module API.
package builder

import (
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

// Credentials are the provider's Builder credentials; the caller checks that
// an operation's are set (user and password for campaigns, the API key for
// triggers) before it calls.
type Credentials struct {
	User     string
	Password string
	APIKey   string
}

// OperationLogin names the login in errors.
const OperationLogin = "log in to Builder"

// Client is a Builder API client. One token pair serves every goroutine that
// uses it: N concurrent first calls cost one login.
type Client struct {
	http  *client.Client
	creds Credentials

	mu     sync.Mutex
	tokens Tokens
	// refused is true once the server refused tokens.Token: until a renewal
	// replaces it, callers join the renewal instead of sending it again.
	refused bool
	flights singleflight.Group

	lists listCache
	// claimed are the campaign ids some state holds, as far as this client
	// has seen (refreshed, created, updated): a campaign looked for by its
	// fields after an uncertain create is never one of them.
	claimed sync.Map
	// idsKept is set once the server has kept an id this client sent with a
	// create: it is not one that makes its own, so nothing is looked for by
	// its fields.
	idsKept atomic.Bool
}

func (c *Client) claim(id string) {
	if id != "" {
		c.claimed.Store(id, true)
	}
}

func (c *Client) isClaimed(id string) bool {
	_, ok := c.claimed.Load(id)
	return ok
}

// New returns a Builder client over http. The credentials, and every token
// the client receives later, are added to http's secrets.
func New(http *client.Client, creds Credentials) *Client {
	http.Secrets().Add(creds.Password, creds.APIKey)
	return &Client{http: http, creds: creds}
}

// Tokens returns the current token pair, logging in if there is none, or
// waiting for its renewal once the server has refused it.
func (c *Client) Tokens(ctx context.Context) (Tokens, error) {
	c.mu.Lock()
	tokens, refused := c.tokens, c.refused
	c.mu.Unlock()
	switch {
	case refused:
		return c.renew(ctx, tokens.Token)
	case tokens.Token != "":
		return tokens, nil
	}
	return c.shared(ctx, "login", func(ctx context.Context) (Tokens, error) {
		if tokens := c.currentTokens(); tokens.Token != "" {
			return tokens, nil // a login that finished just before this one started
		}
		return c.login(ctx)
	})
}

// renew replaces the token the server refused: by refresh, else by login.
// Every request that was refused the same token shares one renewal, and a
// request refused a token that was already replaced just uses the new one.
func (c *Client) renew(ctx context.Context, refused string) (Tokens, error) {
	c.mu.Lock()
	if c.tokens.Token == refused {
		c.refused = true
	}
	c.mu.Unlock()
	return c.shared(ctx, "renew", func(ctx context.Context) (Tokens, error) {
		current := c.currentTokens()
		if current.Token != "" && current.Token != refused {
			return current, nil
		}
		if current.RefreshToken != "" {
			if tokens, err := c.refresh(ctx, current.RefreshToken); err == nil {
				return tokens, nil
			}
			// The attempt is in the debug log; a login may still work.
		}
		return c.login(ctx)
	})
}

// shared runs fn once for all concurrent callers of the same key. The flight
// does not stop when one caller gives up, since others may wait on it.
func (c *Client) shared(ctx context.Context, key string, fn func(context.Context) (Tokens, error)) (Tokens, error) {
	flightCtx := context.WithoutCancel(ctx)
	results := c.flights.DoChan(key, func() (any, error) { return fn(flightCtx) })
	select {
	case result := <-results:
		if result.Err != nil {
			return Tokens{}, result.Err
		}
		tokens, _ := result.Val.(Tokens) // fn returns Tokens
		return tokens, nil
	case <-ctx.Done():
		return Tokens{}, ctx.Err()
	}
}

func (c *Client) currentTokens() Tokens {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tokens
}

func (c *Client) login(ctx context.Context) (Tokens, error) {
	resp, err := c.http.Do(ctx, &client.Request{
		Operation: OperationLogin,
		Method:    http.MethodPost,
		Path:      PathLogin,
		Body:      LoginRequest{User: c.creds.User, Password: c.creds.Password},
		Policy:    client.RetryIdempotent,
	})
	if err != nil {
		if status := client.StatusOf(err); status == http.StatusUnauthorized || status == http.StatusForbidden {
			return Tokens{}, fmt.Errorf("builder refused the login of %q: %w", c.creds.User, err)
		}
		return Tokens{}, err
	}
	return c.storeTokens(OperationLogin, resp, "")
}

func (c *Client) refresh(ctx context.Context, refreshToken string) (Tokens, error) {
	resp, err := c.http.Do(ctx, &client.Request{
		Operation: "refresh Builder token",
		Method:    http.MethodPost,
		Path:      PathRefresh,
		Body:      RefreshRequest{RefreshToken: refreshToken},
		Policy:    client.RetryIdempotent,
	})
	if err != nil {
		return Tokens{}, err
	}
	return c.storeTokens("refresh Builder token", resp, refreshToken)
}

// storeTokens makes a login or refresh answer the current pair. A refresh
// answer without a new refresh token keeps the old one.
func (c *Client) storeTokens(operation string, resp *client.Response, refreshToken string) (Tokens, error) {
	tokens, err := decodeTokens(resp.Body)
	if err != nil || tokens.Token == "" {
		if err == nil {
			err = errors.New("no token in the answer")
		}
		return Tokens{}, c.unreadable(operation, resp, err)
	}
	c.http.Secrets().Add(tokens.Token, tokens.RefreshToken)
	if tokens.RefreshToken == "" {
		tokens.RefreshToken = refreshToken
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tokens, c.refused = tokens, false
	return tokens, nil
}

// decodeTokens reads a token pair; the token may also come as OAuth2's
// access_token, which is what FastAPI's security helpers answer.
func decodeTokens(body []byte) (Tokens, error) {
	var answer tokensAnswer
	if err := json.Unmarshal(body, &answer); err != nil {
		return Tokens{}, err
	}
	if answer.Token == "" {
		answer.Token = answer.AccessToken
	}
	return answer.Tokens, nil
}

// do sends a campaign request with the bearer token. A refused token is
// renewed and the request repeated once: a 401 means it did not run.
func (c *Client) do(ctx context.Context, req client.Request) (*client.Response, error) {
	tokens, err := c.Tokens(ctx)
	if err != nil {
		return nil, &authError{err}
	}
	resp, err := c.http.Do(ctx, withBearer(req, tokens.Token))
	if !isRefusedToken(err) {
		return resp, err
	}
	if tokens, err = c.renew(ctx, tokens.Token); err != nil {
		return nil, &authError{err}
	}
	return c.http.Do(ctx, withBearer(req, tokens.Token))
}

func withBearer(req client.Request, token string) *client.Request {
	req.Header = req.Header.Clone()
	if req.Header == nil {
		req.Header = http.Header{}
	}
	req.Header.Set(HeaderAuthorization, "Bearer "+token)
	return &req
}

// isRefusedToken: FastAPI answers a missing token with 403 "Not
// authenticated", which means the same as 401.
func isRefusedToken(err error) bool {
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	return apiErr.Status == http.StatusUnauthorized ||
		(apiErr.Status == http.StatusForbidden && apiErr.Message == DetailNotAuthenticated)
}

// authError marks a failure to obtain a token, which happened before the
// request itself was sent.
type authError struct{ err error }

func (e *authError) Error() string { return e.err.Error() }
func (e *authError) Unwrap() error { return e.err }
