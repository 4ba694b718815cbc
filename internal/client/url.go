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
		target = UpgradedToOrigin(c.base.ResolveReference(ref), c.base)
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

// errNotActedOn marks a refused 307 or 308: the server answered "send this
// elsewhere", so it did not act on the request.
var errNotActedOn = errors.New("the server did not act on the request")

// UpgradedToOrigin is target on origin when target names origin's host over
// plain http while origin is https (on the default port, or origin's own):
// an app behind a proxy that ends TLS prints its redirects and links with
// the scheme it sees (uvicorn without --proxy-headers, Django without
// SECURE_PROXY_SSL_HEADER). Asking origin instead sends nothing anywhere
// new, and over TLS; any other target is returned as it is, for the caller
// to refuse when it is another origin.
func UpgradedToOrigin(target, origin *url.URL) *url.URL {
	if !strings.EqualFold(origin.Scheme, "https") || !strings.EqualFold(target.Scheme, "http") ||
		!strings.EqualFold(target.Hostname(), origin.Hostname()) ||
		(target.Port() != "" && target.Port() != "80" && target.Port() != origin.Port()) {
		return target
	}
	upgraded := *target
	upgraded.Scheme, upgraded.Host = origin.Scheme, origin.Host
	return &upgraded
}

// checkRedirect follows redirects on the same origin only (FastAPI's trailing
// slash redirects), so that the token never follows a redirect elsewhere.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	req.URL = UpgradedToOrigin(req.URL, via[0].URL)
	if !sameOrigin(req.URL, via[0].URL) {
		if status := req.Response.StatusCode; status == http.StatusTemporaryRedirect || status == http.StatusPermanentRedirect {
			return fmt.Errorf("%w (%s://%s): %w", errRedirectRefused, req.URL.Scheme, req.URL.Host, errNotActedOn)
		}
		return fmt.Errorf("%w (%s://%s)", errRedirectRefused, req.URL.Scheme, req.URL.Host)
	}
	if req.Method != via[0].Method {
		// A 301, 302 or 303 turns a POST or PUT into a GET without its body:
		// the write would silently not happen. The redirect is the answer.
		return http.ErrUseLastResponse
	}
	return nil
}
