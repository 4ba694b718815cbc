package provider

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/campaignops/terraform-provider-campaigns/internal/client"
	"github.com/campaignops/terraform-provider-campaigns/internal/client/builder"
	"github.com/campaignops/terraform-provider-campaigns/internal/client/evolux"
)

// setting is a provider attribute resolved against its environment variable, both named in messages.
type setting struct {
	value   string
	unknown bool
	fromEnv bool // the configuration leaves attr unset: value is env's
	attr    string
	env     string
}

func resolve(v types.String, p path.Path, env string) setting {
	s := setting{attr: p.String(), env: env}
	switch {
	case v.IsUnknown():
		s.unknown = true
	case !v.IsNull():
		s.value = v.ValueString()
	default:
		s.value, s.fromEnv = os.Getenv(env), true
	}
	return s
}

// resolveRate is a max_requests_per_second, configured or from env; 0 means no ceiling.
func resolveRate(v types.Float64, p path.Path, env string, diags *diag.Diagnostics) float64 {
	if v.IsUnknown() {
		return 0
	}
	if !v.IsNull() {
		return v.ValueFloat64()
	}
	text := strings.TrimSpace(os.Getenv(env))
	if text == "" {
		return 0
	}
	rate, err := strconv.ParseFloat(text, 64)
	if err != nil || !(rate >= minRequestsPerSecond) || math.IsInf(rate, 1) {
		diags.AddAttributeError(p, "Invalid "+env,
			fmt.Sprintf("%s is unset, so it comes from the %s environment variable, which is %q: it must be a number of requests a second, at least %v.",
				p, env, text, minRequestsPerSecond))
	}
	return rate
}

// defaultWriteTimeout bounds a create, update, delete, fire or invocation without a timeouts block; a 429 is repeated until then.
const defaultWriteTimeout = 20 * time.Minute

// withTimeout bounds an operation by its timeouts block (timeout is one of the timeouts value's methods), or by def.
func withTimeout(ctx context.Context, timeout func(context.Context, time.Duration) (time.Duration, diag.Diagnostics), def time.Duration,
	diags *diag.Diagnostics) (context.Context, context.CancelFunc) {
	d, moreDiags := timeout(ctx, def)
	diags.Append(moreDiags...)
	return context.WithTimeout(ctx, d)
}

// nullTimeouts is a resource's absent timeouts block, for a list result: of the block's type.
func nullTimeouts(opts timeouts.Opts) timeouts.Value {
	block, _ := timeouts.Block(context.Background(), opts).Type().(timeouts.Type)
	return timeouts.Value{Object: types.ObjectNull(block.AttrTypes)}
}

type connectionSettings struct {
	userAgent  string
	timeout    time.Duration
	maxRetries int
	// builderRate and evoluxRate are max_requests_per_second; 0: no ceiling.
	builderRate, evoluxRate float64
	transport               http.RoundTripper // nil: a pooled keep-alive transport
	clock                   client.Clock      // nil: the system's
}

type builderSettings struct {
	url, user, password, apiKey setting
}

type evoluxSettings struct {
	url, token setting
}

// providerData is shared by everything of one provider instance. Clients are
// built on first use (reading Evolux needs no Builder credentials), and one
// Builder client (one login) serves all concurrent operations.
type providerData struct {
	conn    connectionSettings
	builder builderSettings
	evolux  evoluxSettings
	secrets *client.Secrets // scrubbed by value from both clients' errors and logs; Builder adds its tokens

	builderClient func() (*builder.Client, diag.Diagnostics)
	evoluxClient  func() (*evolux.Client, diag.Diagnostics)
}

func newProviderData(conn connectionSettings, b builderSettings, e evoluxSettings) *providerData {
	d := &providerData{conn: conn, builder: b, evolux: e, secrets: client.NewSecrets(b.password.value, b.apiKey.value, e.token.value)}
	d.builderClient = onFirstUse(d, "Builder", b.url, conn.builderRate, func(hc *client.Client) *builder.Client {
		return builder.New(hc, builder.Credentials{User: b.user.value, Password: b.password.value, APIKey: b.apiKey.value})
	})
	d.evoluxClient = onFirstUse(d, "Evolux", e.url, conn.evoluxRate, func(hc *client.Client) *evolux.Client {
		return evolux.New(hc, e.token.value)
	})
	return d
}

// builderRequests are the kinds of Builder request, by the settings they need.
type builderRequests int

const (
	campaignRequests builderRequests = iota // log in with user and password
	triggerFires                            // the API key
)

// builderNeeds lists the settings requests need, for plan-time checks and the client.
func (d *providerData) builderNeeds(requests builderRequests) []setting {
	if requests == campaignRequests {
		return []setting{d.builder.url, d.builder.user, d.builder.password}
	}
	return []setting{d.builder.url, d.builder.apiKey}
}

// load decodes src into target and returns the Builder client for requests, or nil with diags saying why.
func (d *providerData) load(ctx context.Context, src interface {
	Get(context.Context, any) diag.Diagnostics
}, target any, requests builderRequests, diags *diag.Diagnostics) *builder.Client {
	if diags.Append(src.Get(ctx, target)...); diags.HasError() {
		return nil
	}
	c, clientDiags := d.builderFor(requests)
	if diags.Append(clientDiags...); diags.HasError() {
		return nil
	}
	return c
}

// builderFor returns the Builder client once the settings requests need are set.
func (d *providerData) builderFor(requests builderRequests) (*builder.Client, diag.Diagnostics) {
	if d == nil {
		return nil, notConfigured()
	}
	if diags := requireSettings("Builder", d.builderNeeds(requests)...); diags.HasError() {
		return nil, diags
	}
	return d.builderClient()
}

// evoluxSettingsAtPlan fails a plan that writes to Evolux when its settings are missing.
func (d *providerData) evoluxSettingsAtPlan() diag.Diagnostics {
	if d == nil {
		return nil // not configured yet: validation only
	}
	return requireSettings("Evolux", d.evolux.url, d.evolux.token)
}

func (d *providerData) evoluxForReports() (*evolux.Client, diag.Diagnostics) {
	if d == nil {
		return nil, notConfigured()
	}
	if diags := d.evoluxSettingsAtPlan(); diags.HasError() {
		return nil, diags
	}
	return d.evoluxClient()
}

// onFirstUse builds a service's client once, when first asked for.
func onFirstUse[T any](d *providerData, service string, url setting, rate float64, build func(*client.Client) *T) func() (*T, diag.Diagnostics) {
	return sync.OnceValues(func() (*T, diag.Diagnostics) {
		diags := unusableURL(service, url)
		if diags.HasError() {
			return nil, diags
		}
		hc, err := client.New(client.Config{
			BaseURL:    url.value,
			Timeout:    d.conn.timeout,
			MaxRetries: d.conn.maxRetries,
			UserAgent:  d.conn.userAgent,
			Logger:     debugLogger(d.secrets),
			Secrets:    d.secrets,
			Name:       service,
			Transport:  d.conn.transport,
			Clock:      d.conn.clock,

			MaxRequestsPerSecond: rate,
		})
		if err != nil {
			diags.AddError("Cannot configure the "+service+" client", err.Error())
			return nil, diags
		}
		return build(hc), diags
	})
}

// builderSettingsAtPlan reports the known Builder settings an apply would need and lacks, and an
// unusable URL (from BUILDER_URL: a configured one is checked by ValidateConfig).
func (d *providerData) builderSettingsAtPlan(requests builderRequests) diag.Diagnostics {
	if d == nil {
		return nil
	}
	known := slices.DeleteFunc(d.builderNeeds(requests), func(s setting) bool { return s.unknown })
	diags := requireSettings("Builder", known...)
	if url := d.builder.url; !url.unknown && url.value != "" {
		diags.Append(unusableURL("Builder", url)...)
	}
	return diags
}

// requireSettings reports each missing or not yet known setting, naming the attribute and its variable.
func requireSettings(service string, settings ...setting) (diags diag.Diagnostics) {
	for _, s := range settings {
		switch {
		case s.unknown:
			diags.AddError("Provider configuration not known yet",
				fmt.Sprintf("The provider attribute %s depends on a value that is known only after apply, so %s cannot be reached during this plan. "+
					"Apply the resources it depends on first (for example with -target), or set it to a known value.", s.attr, service))
		case s.value == "":
			where := fmt.Sprintf("it is set in neither place it is read from: the provider configuration leaves %s unset "+
				"and the %s environment variable is empty or unset", s.attr, s.env)
			if !s.fromEnv {
				where = fmt.Sprintf("%s is an empty string in the provider configuration, which wins over %s", s.attr, s.env)
			}
			diags.AddError("Missing "+service+" setting "+s.attr,
				fmt.Sprintf("This operation needs %s, but %s. Set %s in the provider configuration or the %s environment variable.",
					s.attr, where, s.attr, s.env))
		}
	}
	return diags
}

// unusableURL refuses a URL that cannot be used (not https:// nor loopback...), saying where it came from.
func unusableURL(service string, url setting) (diags diag.Diagnostics) {
	if err := client.ValidateBaseURL(url.value); err != nil {
		origin := url.attr + " in the provider configuration"
		if url.fromEnv {
			origin = fmt.Sprintf("the %s environment variable (%s is not set in the provider configuration)", url.env, url.attr)
		}
		diags.AddError("Invalid "+service+" URL", fmt.Sprintf("The %s URL from %s cannot be used: %s", service, origin, err))
	}
	return diags
}

// debugLogger is nil when no provider logs are collected: an entry renders the bodies, work thrown away.
func debugLogger(secrets *client.Secrets) client.Logger {
	if !LogsCollected() {
		return nil
	}
	return tflogLogger{secrets: secrets}
}

// LogsCollected tells whether a TF_LOG variable asks for provider logs, the
// only case the CLIs keep them (TF_LOG_CORE is the core's; TF_LOG_PATH alone, none).
func LogsCollected() bool {
	for _, kv := range os.Environ() {
		name, value, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "TF_LOG") && name != "TF_LOG_CORE" && name != "TF_LOG_PATH" && value != "" && !strings.EqualFold(value, "OFF") {
			return true
		}
	}
	return false
}

// tflogLogger lets internal/client log through tflog, which masks the secrets again.
type tflogLogger struct{ secrets *client.Secrets }

func (l tflogLogger) Debug(ctx context.Context, msg string, fields map[string]any) {
	if values := l.secrets.Values(); len(values) > 0 {
		ctx = tflog.MaskMessageStrings(tflog.MaskAllFieldValuesStrings(ctx, values...), values...)
	}
	tflog.Debug(ctx, msg, fields)
}

func notConfigured() diag.Diagnostics {
	return diag.Diagnostics{diag.NewErrorDiagnostic("Provider not configured",
		"The campaigns provider was used before Terraform configured it. This is a bug in the provider or the CLI; please report it.")}
}
