package provider

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/campaignops/terraform-provider-campaigns/internal/client"
)

// The logger the provider gives the clients masks every known secret in
// tflog, the ones added after it was made (tokens) included.
func TestTflogLogger_masksSecretValues(t *testing.T) {
	var output bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &output)
	data := newProviderData(connectionSettings{},
		builderSettings{password: setting{value: "builder-password"}, apiKey: setting{value: "builder-apikey"}},
		evoluxSettings{token: setting{value: "evolux-token"}})
	data.secrets.Add("access-token-later")

	tflogLogger{secrets: data.secrets}.Debug(ctx, "login as builder-password failed",
		map[string]any{"body": `{"echo":"builder-apikey evolux-token"}`, "detail": "token access-token-later expired"})

	logged := output.String()
	for _, secret := range []string{"builder-password", "builder-apikey", "evolux-token", "access-token-later"} {
		if strings.Contains(logged, secret) {
			t.Errorf("the log shows %q: %s", secret, logged)
		}
	}
	if !strings.Contains(logged, "login as") || !strings.Contains(logged, "expired") {
		t.Fatalf("the entry was not logged: %q", logged)
	}
	output.Reset()
	var none *client.Secrets
	tflogLogger{secrets: none}.Debug(ctx, "no secrets known", nil)
	if !strings.Contains(output.String(), "no secrets known") {
		t.Errorf("with no secrets known, the entry was not logged as it is: %q", output.String())
	}
}
