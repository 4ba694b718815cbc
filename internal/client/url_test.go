package client

import (
	"net/url"
	"strings"
	"testing"
)

func TestValidateBaseURL(t *testing.T) {
	tests := []struct {
		url     string
		wantErr string // "" means accepted
	}{
		{"https://builder.example.com", ""},
		{"https://builder.example.com/api/", ""},
		{"http://localhost:8080", ""},
		{"http://LOCALHOST", ""},
		{"http://127.0.0.5:9000", ""},
		{"http://[::1]:8080", ""},
		{"http://example.com", "clear text"},
		{"http://10.0.0.1", "clear text"},
		{"http://localhost.example.com", "clear text"},
		{"ftp://example.com", "unsupported URL scheme"},
		{"example.com", "absolute"},
		{"", "empty"},
		{"https://", "absolute"},
		{"::garbage::", "not valid"},
		{"https://user:secret@example.com", "credentials"},
		{"https://example.com/?apikey=x", "query"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			err := ValidateBaseURL(tt.url)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("ValidateBaseURL(%q) = %v, want accepted", tt.url, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("ValidateBaseURL(%q) = %v, want an error containing %q", tt.url, err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Fatalf("error %q repeats a credential", err)
			}
		})
	}
}

func TestResolveURL(t *testing.T) {
	c, err := New(Config{BaseURL: "https://api.example.com/prefix/"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path    string
		query   url.Values
		want    string
		wantErr string
	}{
		{path: "/campaign/acme/bot", want: "https://api.example.com/prefix/campaign/acme/bot"},
		{path: "campaign", want: "https://api.example.com/prefix/campaign"},
		{path: "/campaign/a%2Fb/bot", want: "https://api.example.com/prefix/campaign/a%2Fb/bot"},
		{path: "/trigger", query: url.Values{"apikey": {"k"}}, want: "https://api.example.com/prefix/trigger?apikey=k"},
		{path: "https://api.example.com/other?page=2", want: "https://api.example.com/other?page=2"},
		{path: "https://API.example.com:443/other", want: "https://API.example.com:443/other"},
		{path: "https://evil.example.com/steal", wantErr: "refusing"},
		// The same host over plain http (an app behind a proxy that ends
		// TLS) is asked over https: never sent in clear text.
		{path: "http://api.example.com/other?page=2", want: "https://api.example.com/other?page=2"},
		{path: "http://api.example.com:80/other", want: "https://api.example.com/other"},
		{path: "http://api.example.com:8080/downgrade", wantErr: "refusing"},
		{path: "http://evil.example.com/downgrade", wantErr: "refusing"},
		{path: "//evil.example.com/steal", wantErr: "refusing"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got, err := c.ResolveURL(tt.path, tt.query)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ResolveURL(%q) = %v, %v; want error %q", tt.path, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got.String() != tt.want {
				t.Fatalf("ResolveURL(%q) = %v, %v; want %s", tt.path, got, err, tt.want)
			}
		})
	}
}

func TestResolveURL_prefixWithOrWithoutTrailingSlash(t *testing.T) {
	for _, base := range []string{"https://host.example/apicampanha", "https://host.example/apicampanha/"} {
		c, err := New(Config{BaseURL: base})
		if err != nil {
			t.Fatal(err)
		}
		for path, want := range map[string]string{
			"/login":             "https://host.example/apicampanha/login",
			"campaign/a/b":       "https://host.example/apicampanha/campaign/a/b",
			"/trigger":           "https://host.example/apicampanha/trigger?apikey=k%2B1",
			"/campaign/a%2Fb/c/": "https://host.example/apicampanha/campaign/a%2Fb/c/",
		} {
			var query url.Values
			if path == "/trigger" {
				query = url.Values{"apikey": {"k+1"}}
			}
			got, err := c.ResolveURL(path, query)
			if err != nil || got.String() != want {
				t.Errorf("base %s: ResolveURL(%q) = %v, %v; want %s", base, path, got, err, want)
			}
		}
	}
}
