package bench

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/campaignops/terraform-provider-campaigns/internal/provider"
)

// Server is the provider's protocol 6 server in this process: the same code
// the binary serves over gRPC, minus gRPC, so a profile shows the
// provider's own work.
type Server struct {
	tfprotov6.ProviderServer
	schema *tfprotov6.GetProviderSchemaResponse
}

// Type names the benchmarks use.
const (
	CampaignType    = "campaigns_builder_campaign"
	SubscribersType = "campaigns_evolux_subscribers"
)

// NewServer starts a provider server and reads its schema, as a CLI does
// first.
func NewServer(ctx context.Context) (*Server, error) {
	server, err := provider.NewProtocol6Server("bench")()
	if err != nil {
		return nil, err
	}
	schema, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		return nil, err
	}
	if err := diagnosticsError(schema.Diagnostics); err != nil {
		return nil, err
	}
	return &Server{ProviderServer: server, schema: schema}, nil
}

// Configure points both APIs at url with the emulator's credentials.
func (s *Server) Configure(ctx context.Context, url string) error {
	typ, err := objectType(s.schema.Provider.ValueType())
	if err != nil {
		return err
	}
	builderType, err := objectType(typ.AttributeTypes["builder"])
	if err != nil {
		return err
	}
	evoluxType, err := objectType(typ.AttributeTypes["evolux"])
	if err != nil {
		return err
	}
	config := objectValue(typ, map[string]tftypes.Value{
		"builder": objectValue(builderType, map[string]tftypes.Value{
			"url":      tftypes.NewValue(tftypes.String, url),
			"user":     tftypes.NewValue(tftypes.String, benchUser),
			"password": tftypes.NewValue(tftypes.String, benchPassword),
		}),
		"evolux": objectValue(evoluxType, map[string]tftypes.Value{
			"url":   tftypes.NewValue(tftypes.String, url),
			"token": tftypes.NewValue(tftypes.String, benchToken),
		}),
	})
	dv, err := tfprotov6.NewDynamicValue(typ, config)
	if err != nil {
		return err
	}
	resp, err := s.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{TerraformVersion: "1.12.6", Config: &dv})
	if err != nil {
		return err
	}
	return diagnosticsError(resp.Diagnostics)
}

// ReadSubscribers reads campaigns_evolux_subscribers with no filter, as a
// plan does, and returns the size of the state it answers (MessagePack).
func (s *Server) ReadSubscribers(ctx context.Context) (int, error) {
	typ, err := objectType(s.schema.DataSourceSchemas[SubscribersType].ValueType())
	if err != nil {
		return 0, err
	}
	config, err := tfprotov6.NewDynamicValue(typ, objectValue(typ, nil))
	if err != nil {
		return 0, err
	}
	resp, err := s.ReadDataSource(ctx, &tfprotov6.ReadDataSourceRequest{TypeName: SubscribersType, Config: &config})
	if err != nil {
		return 0, err
	}
	if err := diagnosticsError(resp.Diagnostics); err != nil {
		return 0, err
	}
	return len(resp.State.MsgPack), nil
}

// CreateCampaign plans and applies the creation of the campaign the HCL of
// the apply scenario declares for index i, as an apply does.
func (s *Server) CreateCampaign(ctx context.Context, organization, bot string, i int) error {
	_, _, err := s.createCampaign(ctx, organization, bot, i)
	return err
}

// createCampaign is CreateCampaign, returning the state it applied and the
// configuration it came from.
func (s *Server) createCampaign(ctx context.Context, organization, bot string, i int) (state, config *tfprotov6.DynamicValue, err error) {
	typ, err := objectType(s.schema.ResourceSchemas[CampaignType].ValueType())
	if err != nil {
		return nil, nil, err
	}
	c := benchCampaign(organization, bot, i)
	str := func(v *string) tftypes.Value { return tftypes.NewValue(tftypes.String, *v) }
	cfg, err := tfprotov6.NewDynamicValue(typ, objectValue(typ, map[string]tftypes.Value{
		"organization":   str(c.Organization),
		"bot_name":       str(c.BotName),
		"campaign_name":  str(c.CampaignName),
		"description":    str(c.Description),
		"content":        str(c.Content),
		"scheduled_date": str(c.ScheduledDate),
	}))
	if err != nil {
		return nil, nil, err
	}
	prior, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, nil))
	if err != nil {
		return nil, nil, err
	}
	plan, err := s.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
		TypeName: CampaignType, PriorState: &prior, ProposedNewState: &cfg, Config: &cfg,
	})
	if err != nil {
		return nil, nil, err
	}
	if err := diagnosticsError(plan.Diagnostics); err != nil {
		return nil, nil, err
	}
	applied, err := s.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{
		TypeName: CampaignType, PriorState: &prior, PlannedState: plan.PlannedState, Config: &cfg,
		PlannedPrivate: plan.PlannedPrivate,
	})
	if err != nil {
		return nil, nil, err
	}
	return applied.NewState, &cfg, diagnosticsError(applied.Diagnostics)
}

// RefreshAndPlanCampaign is what a plan with no change costs the provider
// for one campaign: ReadResource of its state, then PlanResourceChange of
// the refreshed state against the same configuration.
func (s *Server) RefreshAndPlanCampaign(ctx context.Context, state, config *tfprotov6.DynamicValue) error {
	read, err := s.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: CampaignType, CurrentState: state})
	if err != nil {
		return err
	}
	if err := diagnosticsError(read.Diagnostics); err != nil {
		return err
	}
	plan, err := s.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
		TypeName: CampaignType, PriorState: read.NewState, ProposedNewState: read.NewState, Config: config,
	})
	if err != nil {
		return err
	}
	return diagnosticsError(plan.Diagnostics)
}

func objectType(t tftypes.Type) (tftypes.Object, error) {
	object, ok := t.(tftypes.Object)
	if !ok {
		return tftypes.Object{}, fmt.Errorf("expected an object type, got %v", t)
	}
	return object, nil
}

// objectValue is an object of typ with the given attributes, every other
// attribute null (what a configuration that leaves it out sends).
func objectValue(typ tftypes.Object, attrs map[string]tftypes.Value) tftypes.Value {
	values := make(map[string]tftypes.Value, len(typ.AttributeTypes))
	for name, t := range typ.AttributeTypes {
		if v, ok := attrs[name]; ok {
			values[name] = v
		} else {
			values[name] = tftypes.NewValue(t, nil)
		}
	}
	return tftypes.NewValue(typ, values)
}

func diagnosticsError(diags []*tfprotov6.Diagnostic) error {
	var errs []error
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			errs = append(errs, fmt.Errorf("%s: %s", d.Summary, strings.TrimSpace(d.Detail)))
		}
	}
	return errors.Join(errs...)
}
