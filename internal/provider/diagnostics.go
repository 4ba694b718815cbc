package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/campaignops/terraform-provider-campaigns/internal/client"
	"github.com/campaignops/terraform-provider-campaigns/internal/client/builder"
)

// addClientError turns an error from internal/client (never carrying a secret) into a diagnostic
// with the HTTP status, the operation and the server's own message.
func addClientError(diags *diag.Diagnostics, summary, what string, err error) {
	var apiErr *client.APIError
	var transportErr *client.TransportError
	detail, more := fmt.Sprintf("%s failed: %s", what, err), []string(nil)
	switch {
	case errors.As(err, &apiErr):
		detail = fmt.Sprintf("%s failed: the server answered HTTP %d to %s.\n\nServer message: %s", what, apiErr.Status, apiErr.Operation, apiErr.Message)
		more = []string{apiErr.WaitAdvice(), saidAround(err, apiErr), loginAdvice(apiErr)}
	case errors.As(err, &transportErr):
		detail = fmt.Sprintf("%s failed: %s", what, transportErr.Error())
		more = []string{saidAround(err, transportErr)}
	}
	for _, sentence := range more {
		if sentence != "" {
			detail += "\n\n" + strings.ToUpper(sentence[:1]) + sentence[1:] + "."
		}
	}
	diags.AddError(summary, detail)
}

// loginAdvice names the settings to check when Builder refuses the login.
func loginAdvice(apiErr *client.APIError) string {
	if apiErr.Operation != builder.OperationLogin || (apiErr.Status != http.StatusUnauthorized && apiErr.Status != http.StatusForbidden) {
		return ""
	}
	return fmt.Sprintf("check builder.user (or the %s environment variable) and builder.password (or %s)", envBuilderUser, envBuilderPassword)
}

// saidAround is what err says around inner, the error it wraps (such as whose login was refused).
func saidAround(err, inner error) string {
	outer, core := err.Error(), inner.Error()
	if outer == core || !strings.HasSuffix(outer, core) {
		return ""
	}
	return strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(outer, core), ": "))
}

// dataFromConfigure is the provider's data in Configure, nil before the provider is configured (validation).
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

// configuredResource and configuredDataSource hold the provider's data, set by Configure.
type configuredResource struct{ data *providerData }

func (r *configuredResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = dataFromConfigure(req.ProviderData, &resp.Diagnostics)
}

type configuredDataSource struct{ data *providerData }

func (d *configuredDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = dataFromConfigure(req.ProviderData, &resp.Diagnostics)
}
