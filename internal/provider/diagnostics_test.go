package provider

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/campaignops/terraform-provider-campaigns/internal/client"
)

// What the client says around a server's answer (which settings to check
// after a refused login, how long the server asked to wait) reaches the
// diagnostic, not only the bare answer.
func TestAddClientError_keepsWhatTheClientSaid(t *testing.T) {
	refusedLogin := &client.APIError{Operation: "log in to Builder", Method: "POST", Path: "/login", Status: 401, Message: "Incorrect username or password"}
	rateLimited := &client.APIError{Operation: "create campaign", Method: "POST", Path: "/campaign/acme/bot", Status: 429, Message: "slow down",
		RetryAfter: 2 * time.Minute, TimeLeft: 45 * time.Second, API: "Builder"}
	refused := &client.TransportError{Operation: "read campaign", Method: "GET", URL: "https://builder.example.com/campaign/acme/bot/x", Err: fmt.Errorf("connection refused")}
	tests := []struct {
		name string
		err  error
		want []string
	}{
		{
			name: "a refused login names the settings to check",
			err:  fmt.Errorf("builder refused the login of %q: %w", "ops@example.com", refusedLogin),
			want: []string{"HTTP 401", "log in to Builder", "Incorrect username or password", `"ops@example.com"`, "builder.user", "BUILDER_USER", "builder.password", "BUILDER_PASSWORD"},
		},
		{
			name: "a wait longer than the operation has left is said",
			err:  rateLimited,
			want: []string{"HTTP 429", "slow down", "Builder limits the rate of requests and asks to wait 120s", "the 45s this operation has left", "timeouts"},
		},
		{
			name: "context around a transport error",
			err:  fmt.Errorf("reading it back: %w", refused),
			want: []string{"connection refused", "Reading it back"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var diags diag.Diagnostics
			addClientError(&diags, "Campaign not read", "Reading campaign x", tt.err)
			if len(diags) != 1 {
				t.Fatalf("%d diagnostics, want 1", len(diags))
			}
			detail := diags[0].Detail()
			for _, want := range tt.want {
				if !strings.Contains(detail, want) {
					t.Errorf("the detail %q does not say %q", detail, want)
				}
			}
		})
	}
}
