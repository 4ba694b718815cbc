package client

import (
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
)

// ValidateBaseURL accepts https:// URLs, and http:// only for loopback hosts,
// so that credentials never cross a network in clear text.
func ValidateBaseURL(raw string) error {
	if strings.TrimSpace(raw) == "" {
		return errors.New("the URL is empty")
	}
	u, err := url.Parse(raw)
	if err != nil {
		// The parse error quotes the input, which may hold a secret.
		return errors.New("the URL is not valid: expected for example https://api.example.com")
	}
	switch {
	case u.Scheme == "" || u.Host == "":
		return errors.New("the URL must be absolute, with a scheme and a host, for example https://api.example.com")
	case u.User != nil:
		return errors.New("the URL must not carry user credentials; use the provider's credential attributes")
	case u.RawQuery != "" || u.Fragment != "":
		return errors.New("the URL must not have a query or a fragment")
	case u.Hostname() == "":
		return errors.New("the URL has no host name")
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return nil
	case "http":
		if isLoopback(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("plain http:// is only allowed for loopback hosts (localhost, 127.0.0.0/8, ::1), not %q: "+
			"use https://, otherwise credentials would cross the network in clear text", u.Hostname())
	default:
		return fmt.Errorf("unsupported URL scheme %q: use https:// (or http:// for a loopback host)", u.Scheme)
	}
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	addr, err := netip.ParseAddr(host)
	return err == nil && addr.Unmap().IsLoopback()
}

// ResolveURL is the URL a request for path and query goes to. A relative
// path is joined to the base URL (keeping its own path prefix); an absolute
// URL (a server's next page link) is used as is, but only on the base URL's
// origin, so that the credentials are never sent anywhere else.
func (c *Client) ResolveURL(path string, query url.Values) (*url.URL, error) {
	ref, err := url.Parse(path)
	if err != nil {
		return nil, errors.New("invalid request URL") // the input may hold a secret
	}
	var target *url.URL
	if ref.Scheme != "" || ref.Host != "" {
		target = c.base.ResolveReference(ref)
		if !sameOrigin(target, c.base) {
			return nil, fmt.Errorf("refusing to send a request to %s://%s: only %s://%s is configured",
				target.Scheme, target.Host, c.base.Scheme, c.base.Host)
		}
	} else {
		joined := strings.TrimSuffix(c.base.String(), "/") + "/" + strings.TrimPrefix(path, "/")
		if target, err = url.Parse(joined); err != nil {
			return nil, errors.New("invalid request path")
		}
	}
	if len(query) > 0 {
		merged := target.Query()
		for name, values := range query {
			merged[name] = append(merged[name], values...)
		}
		target.RawQuery = merged.Encode()
	}
	return target, nil
}

func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) &&
		strings.EqualFold(a.Hostname(), b.Hostname()) &&
		portOf(a) == portOf(b)
}

func portOf(u *url.URL) string {
	if port := u.Port(); port != "" {
		return port
	}
	if strings.EqualFold(u.Scheme, "https") {
		return "443"
	}
	return "80"
}

var errRedirectRefused = errors.New("refusing a redirect to another origin")

// checkRedirect follows redirects on the same origin only (FastAPI's trailing
// slash redirects), so that the token never follows a redirect elsewhere.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	if !sameOrigin(req.URL, via[0].URL) {
		return fmt.Errorf("%w (%s://%s)", errRedirectRefused, req.URL.Scheme, req.URL.Host)
	}
	if req.Method != via[0].Method {
		// A 301, 302 or 303 turns a POST or PUT into a GET without its body:
		// the write would silently not happen. The redirect is the answer.
		return http.ErrUseLastResponse
	}
	return nil
}
