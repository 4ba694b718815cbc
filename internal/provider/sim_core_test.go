package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// simCore plays Terraform core for the simulation (sim_test.go): it drives
// the provider's protocol server in this process, as a CLI does over gRPC,
// with the rules a CLI holds the provider to. Each walk (a plan, an apply)
// gets a provider instance of its own, configured afresh, as the CLIs start
// one per walk. What core would report as a provider bug ("Provider
// produced invalid plan", "inconsistent result after apply") is a
// violation here.
type simCore struct {
	newServer  func() tfprotov6.ProviderServer
	config     tftypes.Value // the provider block
	schemas    *tfprotov6.GetProviderSchemaResponse
	identities map[string]*tfprotov6.ResourceIdentitySchema
	state      map[string]*simObject // by address
	plans      strings.Builder       // planned values since the last check, for the secrets check
	// attribute is told which address an apply works on, so that what the
	// server does meanwhile is put down to it.
	attribute func(addr string)
}

// simObject is one resource instance in state.
type simObject struct {
	typeName string
	value    tftypes.Value
	private  []byte
	identity *tfprotov6.ResourceIdentityData
	tainted  bool
}

func (o *simObject) clone() *simObject {
	c := *o
	return &c
}

// simDiag is a diagnostic as a CLI shows it, with the address it came from.
type simDiag struct {
	addr     string
	severity tfprotov6.DiagnosticSeverity
	summary  string
	detail   string
}

func (d simDiag) String() string {
	severity := "warning"
	if d.severity == tfprotov6.DiagnosticSeverityError {
		severity = "error"
	}
	return fmt.Sprintf("%s %s: %s: %s", severity, d.addr, d.summary, d.detail)
}

// simViolation is something a CLI would refuse, or an invariant broken.
type simViolation struct{ text string }

func (v *simViolation) Error() string { return v.text }

func violationf(format string, args ...any) *simViolation {
	return &simViolation{fmt.Sprintf(format, args...)}
}

// simWalk is one provider instance, configured.
type simWalk struct {
	core   *simCore
	server tfprotov6.ProviderServer
	diags  []simDiag
}

func (c *simCore) walk(ctx context.Context) (*simWalk, error) {
	w := &simWalk{core: c, server: c.newServer()}
	if c.schemas == nil {
		schemas, err := w.server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
		if err != nil {
			return nil, err
		}
		c.schemas = schemas
		identities, err := w.server.GetResourceIdentitySchemas(ctx, &tfprotov6.GetResourceIdentitySchemasRequest{})
		if err != nil {
			return nil, err
		}
		c.identities = identities.IdentitySchemas
	}
	config := c.dynamic(c.schemas.Provider, c.config)
	resp, err := w.server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{TerraformVersion: "1.15.9", Config: config})
	if err != nil {
		return nil, err
	}
	w.add("provider", resp.Diagnostics)
	return w, nil
}

// add keeps diagnostics; it tells whether any is an error.
func (w *simWalk) add(addr string, diags []*tfprotov6.Diagnostic) bool {
	failed := false
	for _, d := range diags {
		w.diags = append(w.diags, simDiag{addr: addr, severity: d.Severity, summary: d.Summary, detail: d.Detail})
		failed = failed || d.Severity == tfprotov6.DiagnosticSeverityError
	}
	return failed
}

func (w *simWalk) failed() bool {
	return slices.ContainsFunc(w.diags, func(d simDiag) bool { return d.severity == tfprotov6.DiagnosticSeverityError })
}

func (c *simCore) resourceSchema(typeName string) *tfprotov6.Schema {
	return c.schemas.ResourceSchemas[typeName]
}

func objectType(s *tfprotov6.Schema) tftypes.Object {
	obj, _ := s.ValueType().(tftypes.Object) // a schema's value type is an object
	return obj
}

func (c *simCore) dynamic(s *tfprotov6.Schema, v tftypes.Value) *tfprotov6.DynamicValue {
	dv, err := tfprotov6.NewDynamicValue(objectType(s), v)
	if err != nil {
		panic("sim: encode " + v.String() + ": " + err.Error())
	}
	return &dv
}

func (c *simCore) decode(s *tfprotov6.Schema, dv *tfprotov6.DynamicValue) (tftypes.Value, error) {
	if dv == nil {
		return tftypes.NewValue(objectType(s), nil), nil
	}
	return dv.Unmarshal(objectType(s))
}

// simValue builds an object of typ from Go values: string, []string (nil
// is null), map[string]string (nil is null), tftypes.Value; absent is null.
func simValue(typ tftypes.Object, attrs map[string]any) tftypes.Value {
	values := make(map[string]tftypes.Value, len(typ.AttributeTypes))
	for name, t := range typ.AttributeTypes {
		values[name] = tftypes.NewValue(t, nil)
		switch v := attrs[name].(type) {
		case string:
			values[name] = tftypes.NewValue(t, v)
		case []string:
			if v != nil {
				elems := make([]tftypes.Value, len(v))
				for i, e := range v {
					elems[i] = tftypes.NewValue(tftypes.String, e)
				}
				values[name] = tftypes.NewValue(t, elems)
			}
		case map[string]string:
			if v != nil {
				elems := make(map[string]tftypes.Value, len(v))
				for k, e := range v {
					elems[k] = tftypes.NewValue(tftypes.String, e)
				}
				values[name] = tftypes.NewValue(t, elems)
			}
		case tftypes.Value:
			values[name] = v
		}
	}
	return tftypes.NewValue(typ, values)
}

// attrs is an object's attributes; a null object has none.
func attrs(v tftypes.Value) map[string]tftypes.Value {
	out := map[string]tftypes.Value{}
	if v.IsNull() || !v.IsKnown() {
		return out
	}
	_ = v.As(&out)
	return out
}

// str is a string attribute's value, "" when null or unknown.
func str(v tftypes.Value, name string) string {
	a, ok := attrs(v)[name]
	if !ok || a.IsNull() || !a.IsKnown() {
		return ""
	}
	var s string
	_ = a.As(&s)
	return s
}

// proposedNew is objchange.ProposedNew for this provider's schemas: the
// configuration, with computed attributes it leaves null taken from prior;
// write-only attributes are null.
func proposedNew(s *tfprotov6.Schema, prior, config tftypes.Value) tftypes.Value {
	if config.IsNull() {
		return config
	}
	priorAttrs, configAttrs := attrs(prior), attrs(config)
	values := make(map[string]tftypes.Value, len(configAttrs))
	for name, v := range configAttrs {
		values[name] = v
	}
	for _, a := range s.Block.Attributes {
		switch cfg := configAttrs[a.Name]; {
		case a.WriteOnly:
			values[a.Name] = tftypes.NewValue(cfg.Type(), nil)
		case a.Computed && cfg.IsNull():
			if p, ok := priorAttrs[a.Name]; ok {
				values[a.Name] = p
			}
		}
	}
	return tftypes.NewValue(config.Type(), values)
}

// checkPlanValid is objchange.AssertPlanValid for top-level attributes:
// what a CLI refuses as "Provider produced invalid plan".
func checkPlanValid(s *tfprotov6.Schema, prior, config, planned tftypes.Value) error {
	if config.IsNull() {
		return nil
	}
	priorAttrs, configAttrs, plannedAttrs := attrs(prior), attrs(config), attrs(planned)
	for _, a := range s.Block.Attributes {
		c, p, pl := configAttrs[a.Name], priorAttrs[a.Name], plannedAttrs[a.Name]
		switch {
		case pl.Equal(c):
		case !prior.IsNull() && !c.IsNull() && pl.Equal(p):
		case a.Computed && !a.Optional:
		case a.Computed && c.IsNull():
		case a.WriteOnly && pl.IsNull():
		default:
			return violationf("Provider produced invalid plan: %s planned %s, configured %s (prior %s)", a.Name, pl, c, p)
		}
	}
	return nil
}

// checkApplied is objchange.AssertObjectCompatible, and the rule that an
// applied object is wholly known: "Provider produced inconsistent result
// after apply".
func checkApplied(planned, applied tftypes.Value) error {
	if !applied.IsFullyKnown() {
		return violationf("Provider returned invalid result object after apply: unknown values in %s", applied)
	}
	appliedAttrs := attrs(applied)
	for name, p := range attrs(planned) {
		if p.IsFullyKnown() && !p.Equal(appliedAttrs[name]) {
			return violationf("Provider produced inconsistent result after apply: %s planned %s, applied %s", name, p, appliedAttrs[name])
		}
	}
	return nil
}

// refresh reads one object, as a plan's refresh does. nil means it is gone.
func (w *simWalk) refresh(ctx context.Context, addr string, obj *simObject) (*simObject, bool) {
	s := w.core.resourceSchema(obj.typeName)
	resp, err := w.server.ReadResource(ctx, &tfprotov6.ReadResourceRequest{
		TypeName: obj.typeName, CurrentState: w.core.dynamic(s, obj.value), Private: obj.private, CurrentIdentity: obj.identity,
	})
	if err != nil {
		panic("sim: ReadResource: " + err.Error())
	}
	if w.add(addr, resp.Diagnostics) {
		return obj, false
	}
	value, err := w.core.decode(s, resp.NewState)
	if err != nil {
		panic("sim: decode read: " + err.Error())
	}
	if value.IsNull() {
		return nil, true
	}
	refreshed := obj.clone()
	refreshed.value, refreshed.private = value, resp.Private
	if resp.NewIdentity != nil {
		if w.core.identityChanged(obj.typeName, obj.identity, resp.NewIdentity) {
			// Terraform core refuses it: "Provider produced different identity".
			w.diags = append(w.diags, simDiag{addr: addr, severity: tfprotov6.DiagnosticSeverityError,
				summary: "Provider produced different identity", detail: "planned a different identity during refresh"})
			return obj, false
		}
		refreshed.identity = resp.NewIdentity
	}
	return refreshed, true
}

// simChange is one planned change.
type simChange struct {
	addr, typeName string
	action         string // create, update, replace, delete, forget, noop
	prior          *simObject
	config         tftypes.Value
	planned        tftypes.Value
	plannedPrivate []byte
	identity       *tfprotov6.ResourceIdentityData
	replaceBy      []string // the attributes that asked for the replacement
}

// plan plans one instance: config null is a destroy.
func (w *simWalk) plan(ctx context.Context, addr, typeName string, prior *simObject, config tftypes.Value, forceReplace bool) (*simChange, error) {
	s := w.core.resourceSchema(typeName)
	typ := objectType(s)
	priorValue := tftypes.NewValue(typ, nil)
	var priorPrivate []byte
	var priorIdentity *tfprotov6.ResourceIdentityData
	if prior != nil {
		priorValue, priorPrivate, priorIdentity = prior.value, prior.private, prior.identity
	}
	change := &simChange{addr: addr, typeName: typeName, prior: prior, config: config}
	if prior == nil && config.IsNull() {
		change.action = "noop"
		return change, nil
	}
	resp, err := w.server.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
		TypeName: typeName, PriorState: w.core.dynamic(s, priorValue), ProposedNewState: w.core.dynamic(s, proposedNew(s, priorValue, config)),
		Config: w.core.dynamic(s, config), PriorPrivate: priorPrivate, PriorIdentity: priorIdentity,
	})
	if err != nil {
		panic("sim: PlanResourceChange: " + err.Error())
	}
	if w.add(addr, resp.Diagnostics) {
		return nil, nil
	}
	planned, err := w.core.decode(s, resp.PlannedState)
	if err != nil {
		panic("sim: decode plan: " + err.Error())
	}
	fmt.Fprintf(&w.core.plans, "%s %s\n", addr, planned)
	if err := checkPlanValid(s, priorValue, config, planned); err != nil {
		return nil, err
	}
	change.planned, change.plannedPrivate, change.identity = planned, resp.PlannedPrivate, resp.PlannedIdentity
	for _, p := range resp.RequiresReplace {
		if steps := p.Steps(); len(steps) > 0 {
			if name, ok := steps[0].(tftypes.AttributeName); ok {
				change.replaceBy = append(change.replaceBy, string(name))
			}
		}
	}
	switch {
	case config.IsNull():
		change.action = "delete"
		return change, nil
	case prior == nil:
		change.action = "create"
		return change, nil
	case len(change.replaceBy) > 0 || prior.tainted || forceReplace:
		change.action = "replace"
	case planned.Equal(priorValue):
		change.action = "noop"
		return change, nil
	default:
		change.action = "update"
		return change, nil
	}
	// A replacement plans its new object again from a null prior, as core
	// does, and deletes the old one first.
	create, err := w.plan(ctx, addr, typeName, nil, config, false)
	if err != nil || create == nil {
		return nil, err
	}
	change.planned, change.plannedPrivate, change.identity = create.planned, create.plannedPrivate, create.identity
	return change, nil
}

// apply applies one change to state; a violation is returned, diagnostics
// are kept.
func (w *simWalk) apply(ctx context.Context, change *simChange) error {
	state := w.core.state
	switch change.action {
	case "noop":
		return nil
	case "forget":
		delete(state, change.addr)
		return nil
	case "delete", "replace":
		if err := w.applyOne(ctx, change, true); err != nil || change.action == "delete" {
			return err
		}
		if _, still := state[change.addr]; still {
			return nil // the delete failed: nothing is created
		}
	}
	return w.applyOne(ctx, change, false)
}

func (w *simWalk) applyOne(ctx context.Context, change *simChange, destroy bool) error {
	s := w.core.resourceSchema(change.typeName)
	typ := objectType(s)
	prior := tftypes.NewValue(typ, nil)
	var private []byte
	var identity *tfprotov6.ResourceIdentityData
	if destroy {
		prior, private, identity = change.prior.value, change.prior.private, change.prior.identity
	} else if change.action == "update" {
		prior = change.prior.value
	}
	planned, config := change.planned, change.config
	if destroy {
		planned, config = tftypes.NewValue(typ, nil), tftypes.NewValue(typ, nil)
	} else {
		private, identity = change.plannedPrivate, change.identity
	}
	w.core.attribute(change.addr)
	defer w.core.attribute("")
	resp, err := w.server.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{
		TypeName: change.typeName, PriorState: w.core.dynamic(s, prior), PlannedState: w.core.dynamic(s, planned),
		Config: w.core.dynamic(s, config), PlannedPrivate: private, PlannedIdentity: identity,
	})
	if err != nil {
		panic("sim: ApplyResourceChange: " + err.Error())
	}
	failed := w.add(change.addr, resp.Diagnostics)
	value, err := w.core.decode(s, resp.NewState)
	if err != nil {
		panic("sim: decode apply: " + err.Error())
	}
	state := w.core.state
	switch {
	case destroy && failed:
		return nil // the object stays as it was
	case destroy:
		delete(state, change.addr)
		return nil
	case !failed:
		if err := checkApplied(planned, value); err != nil {
			return err
		}
	case value.IsNull() && change.action == "update":
		return nil // core keeps the prior object
	case value.IsNull():
		delete(state, change.addr)
		return nil
	}
	obj := &simObject{typeName: change.typeName, value: unknownAsNull(value), private: resp.Private, identity: resp.NewIdentity}
	obj.tainted = failed && change.action != "update" // a create that failed with an object
	if change.action == "update" && change.prior.tainted {
		obj.tainted = true
	}
	state[change.addr] = obj
	return nil
}

// unknownAsNull is what core saves of a partial object after a failure.
func unknownAsNull(v tftypes.Value) tftypes.Value {
	out, err := tftypes.Transform(v, func(_ *tftypes.AttributePath, v tftypes.Value) (tftypes.Value, error) {
		if !v.IsKnown() {
			return tftypes.NewValue(v.Type(), nil), nil
		}
		return v, nil
	})
	if err != nil {
		panic("sim: " + err.Error())
	}
	return out
}

// importResource imports id into addr: ImportResourceState, then the read
// that completes it. nil when it failed (diagnostics say why).
func (w *simWalk) importResource(ctx context.Context, addr, typeName, id string) *simObject {
	resp, err := w.server.ImportResourceState(ctx, &tfprotov6.ImportResourceStateRequest{TypeName: typeName, ID: id})
	if err != nil {
		panic("sim: ImportResourceState: " + err.Error())
	}
	if w.add(addr, resp.Diagnostics) || len(resp.ImportedResources) != 1 {
		return nil
	}
	s := w.core.resourceSchema(typeName)
	imported := resp.ImportedResources[0]
	value, err := w.core.decode(s, imported.State)
	if err != nil {
		panic("sim: decode import: " + err.Error())
	}
	obj, ok := w.refresh(ctx, addr, &simObject{typeName: typeName, value: value, private: imported.Private, identity: imported.Identity})
	if !ok {
		return nil
	}
	if obj == nil {
		w.diags = append(w.diags, simDiag{addr: addr, severity: tfprotov6.DiagnosticSeverityError, summary: "Cannot import non-existent remote object"})
	}
	return obj
}

// readDataSource reads a data source; ok is false when it failed.
func (w *simWalk) readDataSource(ctx context.Context, addr, typeName string, config map[string]any) (tftypes.Value, bool) {
	s := w.core.schemas.DataSourceSchemas[typeName]
	resp, err := w.server.ReadDataSource(ctx, &tfprotov6.ReadDataSourceRequest{TypeName: typeName, Config: w.core.dynamic(s, simValue(objectType(s), config))})
	if err != nil {
		panic("sim: ReadDataSource: " + err.Error())
	}
	if w.add(addr, resp.Diagnostics) {
		return tftypes.Value{}, false
	}
	value, err := w.core.decode(s, resp.State)
	if err != nil {
		panic("sim: decode data source: " + err.Error())
	}
	return value, true
}

// listResource is a query of a list resource: the results' identities and
// objects, or ok false when it failed.
func (w *simWalk) listResource(ctx context.Context, addr, typeName string, config map[string]any) ([]tftypes.Value, []string, bool) {
	s := w.core.schemas.ListResourceSchemas[typeName]
	server, ok := w.server.(tfprotov6.ListResourceServer)
	if !ok {
		panic("sim: the provider server serves no list resources")
	}
	stream, err := server.ListResource(ctx, &tfprotov6.ListResourceRequest{
		TypeName: typeName, Config: w.core.dynamic(s, simValue(objectType(s), config)), IncludeResource: true,
	})
	if err != nil {
		panic("sim: ListResource: " + err.Error())
	}
	var objects []tftypes.Value
	var names []string
	resourceSchema := w.core.resourceSchema(typeName)
	for result := range stream.Results {
		if w.add(addr, result.Diagnostics) {
			return nil, nil, false
		}
		value, err := w.core.decode(resourceSchema, result.Resource)
		if err != nil {
			panic("sim: decode list result: " + err.Error())
		}
		objects, names = append(objects, value), append(names, result.DisplayName)
	}
	return objects, names, true
}

// invokeAction invokes an action; its progress messages come back.
func (w *simWalk) invokeAction(ctx context.Context, addr, typeName string, config map[string]any) []string {
	s := w.core.schemas.ActionSchemas[typeName].Schema
	server, ok := w.server.(tfprotov6.ActionServer)
	if !ok {
		panic("sim: the provider server serves no actions")
	}
	cfg := w.core.dynamic(s, simValue(objectType(s), config))
	plan, err := server.PlanAction(ctx, &tfprotov6.PlanActionRequest{ActionType: typeName, Config: cfg})
	if err != nil {
		panic("sim: PlanAction: " + err.Error())
	}
	if w.add(addr, plan.Diagnostics) {
		return nil
	}
	w.core.attribute(addr)
	defer w.core.attribute("")
	stream, err := server.InvokeAction(ctx, &tfprotov6.InvokeActionRequest{ActionType: typeName, Config: cfg})
	if err != nil {
		panic("sim: InvokeAction: " + err.Error())
	}
	var messages []string
	for event := range stream.Events {
		switch e := event.Type.(type) {
		case tfprotov6.ProgressInvokeActionEventType:
			messages = append(messages, e.Message)
		case tfprotov6.CompletedInvokeActionEventType:
			w.add(addr, e.Diagnostics)
		}
	}
	return messages
}

// planText is every planned value since it was last taken.
func (c *simCore) planText() string {
	text := c.plans.String()
	c.plans.Reset()
	return text
}

// stateText is every value of the state, for the secrets check.
func (c *simCore) stateText() string {
	var b strings.Builder
	for addr, obj := range c.state {
		fmt.Fprintf(&b, "%s %s %s\n", addr, obj.value, obj.private)
	}
	return b.String()
}

// identityChanged: core lets a refresh set an identity that was null,
// never change one.
func (c *simCore) identityChanged(typeName string, before, after *tfprotov6.ResourceIdentityData) bool {
	if before == nil || before.IdentityData == nil || after == nil || after.IdentityData == nil {
		return false
	}
	typ := c.identities[typeName].ValueType()
	a, errA := before.IdentityData.Unmarshal(typ)
	b, errB := after.IdentityData.Unmarshal(typ)
	if errA != nil || errB != nil {
		panic(fmt.Sprintf("sim: decode identities: %v, %v", errA, errB))
	}
	return !a.IsNull() && !a.Equal(b)
}
