package provider

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/campaignops/terraform-provider-campaigns/internal/client"
	"github.com/campaignops/terraform-provider-campaigns/internal/client/builder"
)

// addClientError turns an error from internal/client into a diagnostic whose
// detail carries the HTTP status, the operation and the server's own message.
// The client's errors never carry a secret, so they can be shown as they are.
func addClientError(diags *diag.Diagnostics, summary, what string, err error) {
	var apiErr *client.APIError
	var transportErr *client.TransportError
	switch {
	case errors.As(err, &apiErr):
		detail := fmt.Sprintf("%s failed: the server answered HTTP %d to %s.\n\nServer message: %s", what, apiErr.Status, apiErr.Operation, apiErr.Message)
		for _, more := range []string{apiErr.WaitAdvice(), saidAround(err, apiErr), loginAdvice(apiErr)} {
			if more != "" {
				detail += "\n\n" + capitalized(more) + "."
			}
		}
		diags.AddError(summary, detail)
	case errors.As(err, &transportErr):
		detail := fmt.Sprintf("%s failed: %s", what, transportErr.Error())
		if more := saidAround(err, transportErr); more != "" {
			detail += "\n\n" + capitalized(more) + "."
		}
		diags.AddError(summary, detail)
	default:
		diags.AddError(summary, fmt.Sprintf("%s failed: %s", what, err))
	}
}

// loginAdvice names the settings to check when Builder refuses the login.
func loginAdvice(apiErr *client.APIError) string {
	if apiErr.Operation != builder.OperationLogin || (apiErr.Status != http.StatusUnauthorized && apiErr.Status != http.StatusForbidden) {
		return ""
	}
	return fmt.Sprintf("check builder.user (or the %s environment variable) and builder.password (or %s)", envBuilderUser, envBuilderPassword)
}

// saidAround is what the client said around inner, the error err wraps,
// such as whose login was refused: the diagnostic shows inner's parts, and
// this would be lost with the rest of err's text.
func saidAround(err, inner error) string {
	outer, core := err.Error(), inner.Error()
	if outer == core || !strings.HasSuffix(outer, core) {
		return ""
	}
	return strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(outer, core), ": "))
}

// capitalized starts s with a capital letter, for a sentence of its own.
func capitalized(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// dataFromConfigure extracts the provider's shared data in a Configure method.
// It is nil while the provider is not configured yet (validation).
func dataFromConfigure(raw any, diags *diag.Diagnostics) *providerData {
	if raw == nil {
		return nil
	}
	data, ok := raw.(*providerData)
	if !ok {
		diags.AddError("Unexpected provider data", fmt.Sprintf("expected *providerData, got %T; this is a bug in the provider", raw))
		return nil
	}
	return data
}
