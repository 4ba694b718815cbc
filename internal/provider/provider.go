// Package provider is the Terraform glue: schemas, plan logic and the safety rules of DESIGN.md.
// It never builds a URL or reads a header; that is internal/client's job.
package provider

import (
	"context"
	"net/http"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/float64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/campaignops/terraform-provider-campaigns/internal/client"
)

var (
	_ provider.ProviderWithEphemeralResources = &campaignsProvider{}
	_ provider.ProviderWithValidateConfig     = &campaignsProvider{}
	_ provider.ProviderWithListResources      = &campaignsProvider{}
	_ provider.ProviderWithActions            = &campaignsProvider{}
	_ provider.ProviderWithFunctions          = &campaignsProvider{}
)

// Environment variables that stand in for provider attributes; configuration wins.
const (
	envBuilderURL      = "BUILDER_URL"
	envBuilderUser     = "BUILDER_USER"
	envBuilderPassword = "BUILDER_PASSWORD"
	envBuilderAPIKey   = "BUILDER_API_KEY"
	envEvoluxURL       = "EVOLUX_URL"
	envEvoluxToken     = "EVOLUX_TOKEN"
	envBuilderRate     = "BUILDER_MAX_REQUESTS_PER_SECOND"
	envEvoluxRate      = "EVOLUX_MAX_REQUESTS_PER_SECOND"
)

const (
	defaultRequestTimeout = 30 * time.Second
	defaultMaxRetries     = 4
	maxMaxRetries         = 10
	minRequestsPerSecond  = 0.01
)

// New returns the provider factory for a given build version.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &campaignsProvider{version: version}
	}
}

type campaignsProvider struct {
	version string
	// transport and clock, when set, replace the HTTP transport and the
	// clients' clock (the simulation serves both APIs in process).
	transport http.RoundTripper
	clock     client.Clock
}

type providerModel struct {
	Builder        types.Object         `tfsdk:"builder"`
	Evolux         types.Object         `tfsdk:"evolux"`
	RequestTimeout timetypes.GoDuration `tfsdk:"request_timeout"`
	MaxRetries     types.Int64          `tfsdk:"max_retries"`
}

type builderConfigModel struct {
	URL      types.String  `tfsdk:"url"`
	User     types.String  `tfsdk:"user"`
	Password types.String  `tfsdk:"password"`
	APIKey   types.String  `tfsdk:"api_key"`
	Rate     types.Float64 `tfsdk:"max_requests_per_second"`
}

type evoluxConfigModel struct {
	URL   types.String  `tfsdk:"url"`
	Token types.String  `tfsdk:"token"`
	Rate  types.Float64 `tfsdk:"max_requests_per_second"`
}

// rateAttribute is max_requests_per_second of one API.
func rateAttribute(service, env string) schema.Float64Attribute {
	return schema.Float64Attribute{
		MarkdownDescription: "The most requests a second this provider configuration sends to " + service + ", for a known rate limit; " +
			"for example `5` or `0.5`. Defaults to `" + env + "`, else no ceiling: the provider learns the server's limit from its `429` answers.",
		Optional:   true,
		Validators: []validator.Float64{float64validator.AtLeast(minRequestsPerSecond)},
	}
}

func (p *campaignsProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "campaigns"
	resp.Version = p.version
}

func (p *campaignsProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages Fintalk Builder campaign actions and triggers, and reads Evolux Chat campaign-subscriber reports. " +
			"Every attribute is optional here: a configuration that only reads Evolux needs no Builder credentials. " +
			"Missing credentials are reported when something that needs them runs.",
		Attributes: map[string]schema.Attribute{
			"builder": schema.SingleNestedAttribute{
				MarkdownDescription: "Connection to Fintalk Builder, for campaigns and triggers.",
				Optional:            true,
				Attributes: map[string]schema.Attribute{
					"url": schema.StringAttribute{
						MarkdownDescription: "Base URL of the Builder API, `https://` (plain `http://` only to loopback hosts). Defaults to the `" + envBuilderURL + "` environment variable.",
						Optional:            true,
					},
					"user": schema.StringAttribute{
						MarkdownDescription: "Builder user that logs in for campaign operations. Defaults to `" + envBuilderUser + "`.",
						Optional:            true,
					},
					"password": schema.StringAttribute{
						MarkdownDescription: "Password of `user`. Defaults to `" + envBuilderPassword + "`. Never stored in state.",
						Optional:            true,
						Sensitive:           true,
					},
					"api_key": schema.StringAttribute{
						MarkdownDescription: "API key of the bot whose triggers this provider fires. Defaults to `" + envBuilderAPIKey + "`. " +
							"Several bots with different keys: one provider alias per key. Never stored in state.",
						Optional:  true,
						Sensitive: true,
					},
					"max_requests_per_second": rateAttribute("Builder", envBuilderRate),
				},
			},
			"evolux": schema.SingleNestedAttribute{
				MarkdownDescription: "Connection to Evolux Chat, for the subscribers report.",
				Optional:            true,
				Attributes: map[string]schema.Attribute{
					"url": schema.StringAttribute{
						MarkdownDescription: "Base URL of the Evolux instance, for example `https://acme.evolux.cx` (plain `http://` only to loopback hosts). Defaults to `" + envEvoluxURL + "`.",
						Optional:            true,
					},
					"token": schema.StringAttribute{
						MarkdownDescription: "Evolux API token. Defaults to `" + envEvoluxToken + "`. Never stored in state.",
						Optional:            true,
						Sensitive:           true,
					},
					"max_requests_per_second": rateAttribute("Evolux", envEvoluxRate),
				},
			},
			"request_timeout": schema.StringAttribute{
				MarkdownDescription: "Time limit of one HTTP request, as a Go duration such as `30s` or `1m`. Defaults to `30s`. " +
					"A request that times out is retried only when repeating it is safe.",
				Optional:   true,
				CustomType: timetypes.GoDurationType{},
				Validators: []validator.String{positiveDuration},
			},
			"max_retries": schema.Int64Attribute{
				MarkdownDescription: "How many times a failed request is repeated when repeating it is safe. Defaults to `4`.",
				Optional:            true,
				Validators:          []validator.Int64{int64validator.Between(0, maxMaxRetries)},
			},
		},
	}
}

// ValidateConfig refuses unusable configured URLs at plan time (the environment's are checked on use).
func (p *campaignsProvider) ValidateConfig(ctx context.Context, req provider.ValidateConfigRequest, resp *provider.ValidateConfigResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if b, ok := nestedModel[builderConfigModel](ctx, cfg.Builder, &resp.Diagnostics); ok {
		validateURLAttribute(b.URL, path.Root("builder").AtName("url"), &resp.Diagnostics)
	}
	if e, ok := nestedModel[evoluxConfigModel](ctx, cfg.Evolux, &resp.Diagnostics); ok {
		validateURLAttribute(e.URL, path.Root("evolux").AtName("url"), &resp.Diagnostics)
	}
}

func (p *campaignsProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}

	settings := connectionSettings{userAgent: "terraform-provider-campaigns/" + p.version,
		timeout: defaultRequestTimeout, maxRetries: defaultMaxRetries, transport: p.transport, clock: p.clock}
	if !cfg.RequestTimeout.IsNull() && !cfg.RequestTimeout.IsUnknown() {
		d, diags := cfg.RequestTimeout.ValueGoDuration()
		resp.Diagnostics.Append(diags...)
		settings.timeout = d
	}
	if !cfg.MaxRetries.IsNull() && !cfg.MaxRetries.IsUnknown() {
		settings.maxRetries = int(cfg.MaxRetries.ValueInt64())
	}

	b, _ := nestedModel[builderConfigModel](ctx, cfg.Builder, &resp.Diagnostics)
	if cfg.Builder.IsUnknown() {
		b = builderConfigModel{URL: types.StringUnknown(), User: types.StringUnknown(), Password: types.StringUnknown(), APIKey: types.StringUnknown(), Rate: types.Float64Unknown()}
	}
	e, _ := nestedModel[evoluxConfigModel](ctx, cfg.Evolux, &resp.Diagnostics)
	if cfg.Evolux.IsUnknown() {
		e = evoluxConfigModel{URL: types.StringUnknown(), Token: types.StringUnknown(), Rate: types.Float64Unknown()}
	}
	builderAt, evoluxAt := path.Root("builder").AtName, path.Root("evolux").AtName
	settings.builderRate = resolveRate(b.Rate, builderAt("max_requests_per_second"), envBuilderRate, &resp.Diagnostics)
	settings.evoluxRate = resolveRate(e.Rate, evoluxAt("max_requests_per_second"), envEvoluxRate, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	data := newProviderData(settings,
		builderSettings{
			url:      resolve(b.URL, builderAt("url"), envBuilderURL),
			user:     resolve(b.User, builderAt("user"), envBuilderUser),
			password: resolve(b.Password, builderAt("password"), envBuilderPassword),
			apiKey:   resolve(b.APIKey, builderAt("api_key"), envBuilderAPIKey),
		},
		evoluxSettings{url: resolve(e.URL, evoluxAt("url"), envEvoluxURL), token: resolve(e.Token, evoluxAt("token"), envEvoluxToken)},
	)
	resp.DataSourceData, resp.ResourceData, resp.EphemeralResourceData, resp.ListResourceData, resp.ActionData = data, data, data, data, data
}

func (p *campaignsProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{NewBuilderCampaignResource, NewBuilderTriggerResource, NewEvoluxAudienceResource}
}

func (p *campaignsProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewBuilderCampaignDataSource, NewBuilderCampaignsDataSource, NewBuilderTriggerDataSource, NewEvoluxSubscribersDataSource,
	}
}

func (p *campaignsProvider) EphemeralResources(_ context.Context) []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{NewBuilderTokenEphemeralResource}
}

// ListResources are for `terraform query` (Terraform 1.14+).
func (p *campaignsProvider) ListResources(_ context.Context) []func() list.ListResource {
	return []func() list.ListResource{NewBuilderCampaignListResource}
}

// Actions are for `action` blocks (Terraform 1.14+).
func (p *campaignsProvider) Actions(_ context.Context) []func() action.Action {
	return []func() action.Action{NewBuilderFireTriggerAction}
}

// Functions are provider::campaigns::name(...) (Terraform 1.8+, OpenTofu 1.7+); they need no provider configuration.
// Their argument errors end without a period: the CLI shows `Invalid value for "date" parameter: <text>.`
func (p *campaignsProvider) Functions(_ context.Context) []func() function.Function {
	return []func() function.Function{NewReportWindowFunction, NewPhoneNumberFunction, NewCampaignCreatedAtFunction}
}

// nestedModel decodes a known, non-null nested attribute.
func nestedModel[T any](ctx context.Context, obj types.Object, diags *diag.Diagnostics) (T, bool) {
	var out T
	if obj.IsNull() || obj.IsUnknown() {
		return out, false
	}
	d := obj.As(ctx, &out, basetypes.ObjectAsOptions{})
	diags.Append(d...)
	return out, !d.HasError()
}
