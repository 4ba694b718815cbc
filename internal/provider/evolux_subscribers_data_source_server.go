package provider

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/campaignops/terraform-provider-campaigns/internal/client/evolux"
)

// NewProtocol6Server is the provider's protocol 6 server, as the binary
// serves it: the framework's, with one shortcut for the records of
// campaigns_evolux_subscribers.
//
// Why: after a data source's Read the framework deep-copies the new state,
// walks it twice (semantic equality, null blocks) and encodes it with an
// attribute path allocated per value. For a report of 100,000 records that
// was two extra copies of every record's object alive at once, about 1.5 GB
// allocated, a peak near 400 MB and seconds of CPU, all for a computed list
// no plan modifier or semantic equality ever looks at. So the data source
// hands its records to this server (subscribersHandoff) instead of the
// state, encoded as MessagePack page by page as they arrive; the framework
// handles a state without them, and this server splices them in. A server
// built without this (providerserver alone) still works: the data source
// then puts the records in the state itself.
func NewProtocol6Server(version string) func() (tfprotov6.ProviderServer, error) {
	return newProtocol6Server(New(version)())
}

func newProtocol6Server(p provider.Provider) func() (tfprotov6.ProviderServer, error) {
	framework := providerserver.NewProtocol6WithError(p)
	return func() (tfprotov6.ProviderServer, error) {
		server, err := framework()
		if err != nil {
			return nil, err
		}
		full, ok := server.(frameworkServer)
		if !ok {
			return nil, fmt.Errorf("the framework's server (%T) lacks list resources, actions or state stores", server)
		}
		return &reportServer{frameworkServer: full}, nil
	}
}

// frameworkServer is every interface the framework's server implements and
// go-plugin looks for: the report server passes all of them through, so it
// hides no list resource, action or state store.
type frameworkServer interface {
	tfprotov6.ProviderServer
	tfprotov6.ListResourceServer
	tfprotov6.ActionServer
	tfprotov6.StateStoreServer
}

// The optional servers, by their non-deprecated names.
var (
	_ tfprotov6.ListResourceServer = &reportServer{}
	_ tfprotov6.ActionServer       = &reportServer{}
	_ tfprotov6.StateStoreServer   = &reportServer{}
)

// Address is the provider's address, as the binary serves it.
const Address = "registry.terraform.io/campaignops/campaigns"

// Serve serves NewProtocol6Server over go-plugin, as the binary does.
func Serve(version string, opts ...tf6server.ServeOpt) error {
	newServer := NewProtocol6Server(version)
	return tf6server.Serve(Address, func() tfprotov6.ProviderServer {
		server, err := newServer()
		if err != nil {
			panic("provider server: " + err.Error()) // the framework's constructor never fails
		}
		return server
	}, opts...)
}

// subscribersTypeName is the data source's full type name (Metadata).
const subscribersTypeName = "campaigns_evolux_subscribers"

type reportServer struct {
	frameworkServer
	spliced atomic.Int64 // reads whose records were spliced in (tests)
}

func (s *reportServer) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	if req.TypeName != subscribersTypeName {
		return s.frameworkServer.ReadDataSource(ctx, req)
	}
	handoff := &subscribersHandoff{}
	resp, err := s.frameworkServer.ReadDataSource(context.WithValue(ctx, subscribersHandoffKey{}, handoff), req)
	if err != nil || resp == nil || resp.State == nil || !handoff.used {
		return resp, err
	}
	for _, d := range resp.Diagnostics {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			return resp, nil
		}
	}
	if state, spliceErr := handoff.splice(resp.State); spliceErr != nil {
		resp.Diagnostics = append(resp.Diagnostics, spliceDiagnostic(spliceErr))
		resp.State = nil
	} else {
		resp.State = state
		s.spliced.Add(1)
	}
	return resp, nil
}

// spliceDiagnostic reports a state the server could not put together.
func spliceDiagnostic(err error) *tfprotov6.Diagnostic {
	return &tfprotov6.Diagnostic{
		Severity: tfprotov6.DiagnosticSeverityError,
		Summary:  "Cannot encode the Evolux subscribers",
		Detail:   "Encoding the records of campaigns_evolux_subscribers into the state failed: " + err.Error(),
	}
}

type subscribersHandoffKey struct{}

// subscribersHandoff receives the records of one read, already encoded as
// the MessagePack elements of `subscribers`.
type subscribersHandoff struct {
	used   bool     // the data source left `subscribers` to the handoff
	pages  [][]byte // encoded elements, page by page
	count  int
	length int
}

// subscribersHandoffFrom is the handoff of the read in ctx, if the server
// offers one.
func subscribersHandoffFrom(ctx context.Context) *subscribersHandoff {
	handoff, _ := ctx.Value(subscribersHandoffKey{}).(*subscribersHandoff)
	return handoff
}

// subscriberAttributes are the attributes of one element of `subscribers`
// in the order MessagePack objects list them (sorted by name, as tftypes
// encodes objects), each with its field of the record.
var subscriberAttributes = []struct {
	name  string
	value func(*evolux.Subscriber) *string
}{
	{"campaign_uuid", func(s *evolux.Subscriber) *string { return s.CampaignUUID }},
	{"created_at", func(s *evolux.Subscriber) *string { return s.CreatedAt }},
	{"name", func(s *evolux.Subscriber) *string { return s.Name }},
	{"phone_number", func(s *evolux.Subscriber) *string { return s.PhoneNumber }},
	{"raw", func(s *evolux.Subscriber) *string {
		if s.Raw == "" {
			return nil
		}
		return &s.Raw
	}},
	{"state", func(s *evolux.Subscriber) *string { return s.State }},
	{"template_uuid", func(s *evolux.Subscriber) *string { return s.TemplateUUID }},
}

// add encodes a page of records.
func (h *subscribersHandoff) add(records []evolux.Subscriber) {
	size := 0
	for i := range records {
		size++ // the map header
		for _, attribute := range subscriberAttributes {
			size += stringSize(len(attribute.name))
			if value := attribute.value(&records[i]); value != nil {
				size += stringSize(len(*value))
			} else {
				size++
			}
		}
	}
	page := make([]byte, 0, size)
	for i := range records {
		page = appendMapHeader(page, len(subscriberAttributes))
		for _, attribute := range subscriberAttributes {
			page = appendString(page, attribute.name)
			if value := attribute.value(&records[i]); value != nil {
				page = appendString(page, *value)
			} else {
				page = append(page, msgpackNil)
			}
		}
	}
	h.pages = append(h.pages, page)
	h.count += len(records)
	h.length += len(page)
}

// splice is the framework's state (with `subscribers` null) with the
// handed-over records as `subscribers`.
func (h *subscribersHandoff) splice(state *tfprotov6.DynamicValue) (*tfprotov6.DynamicValue, error) {
	typ, err := subscribersStateType()
	if err != nil {
		return nil, err
	}
	value, err := state.Unmarshal(typ)
	if err != nil {
		return nil, err
	}
	var attributes map[string]tftypes.Value
	if err := value.As(&attributes); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(typ.AttributeTypes))
	for name := range typ.AttributeTypes {
		names = append(names, name)
	}
	slices.Sort(names)
	encoded := make(map[string][]byte, len(names))
	size := 5 + 5 + h.length
	for _, name := range names {
		if name == "subscribers" {
			continue
		}
		attribute, ok := attributes[name]
		if !ok {
			return nil, fmt.Errorf("the state has no %q", name)
		}
		value, err := tfprotov6.NewDynamicValue(typ.AttributeTypes[name], attribute)
		if err != nil {
			return nil, err
		}
		encoded[name] = value.MsgPack
		size += len(name) + 5 + len(encoded[name])
	}
	out := make([]byte, 0, size+len("subscribers")+5)
	out = appendMapHeader(out, len(names))
	for _, name := range names {
		out = appendString(out, name)
		if name != "subscribers" {
			out = append(out, encoded[name]...)
			continue
		}
		out = appendArrayHeader(out, h.count)
		for i, page := range h.pages {
			out = append(out, page...)
			h.pages[i] = nil // released as soon as copied
		}
	}
	return &tfprotov6.DynamicValue{MsgPack: out}, nil
}

var (
	stateTypeOnce sync.Once
	stateType     tftypes.Object
	stateTypeErr  error
)

// subscribersStateType is the Terraform type of the data source's state.
func subscribersStateType() (tftypes.Object, error) {
	stateTypeOnce.Do(func() {
		ctx := context.Background()
		var resp datasource.SchemaResponse
		(&evoluxSubscribersDataSource{}).Schema(ctx, datasource.SchemaRequest{}, &resp)
		typ, ok := resp.Schema.Type().TerraformType(ctx).(tftypes.Object)
		if !ok {
			stateTypeErr = fmt.Errorf("the schema's type is %s, not an object", resp.Schema.Type().TerraformType(ctx))
		}
		stateType = typ
	})
	return stateType, stateTypeErr
}

// The few MessagePack forms the state needs, as its specification defines
// them (and as tftypes writes them).
const msgpackNil = 0xc0

func appendMapHeader(b []byte, n int) []byte {
	switch {
	case n < 16:
		return append(b, 0x80|byte(n))
	case n <= 0xffff:
		return binary.BigEndian.AppendUint16(append(b, 0xde), uint16(n))
	}
	return binary.BigEndian.AppendUint32(append(b, 0xdf), uint32(n))
}

func appendArrayHeader(b []byte, n int) []byte {
	switch {
	case n < 16:
		return append(b, 0x90|byte(n))
	case n <= 0xffff:
		return binary.BigEndian.AppendUint16(append(b, 0xdc), uint16(n))
	}
	return binary.BigEndian.AppendUint32(append(b, 0xdd), uint32(n))
}

// stringSize is the length of a string of n bytes, encoded.
func stringSize(n int) int {
	switch {
	case n < 32:
		return 1 + n
	case n <= 0xff:
		return 2 + n
	case n <= 0xffff:
		return 3 + n
	}
	return 5 + n
}

func appendString(b []byte, s string) []byte {
	switch n := len(s); {
	case n < 32:
		b = append(b, 0xa0|byte(n))
	case n <= 0xff:
		b = append(b, 0xd9, byte(n))
	case n <= 0xffff:
		b = binary.BigEndian.AppendUint16(append(b, 0xda), uint16(n))
	default:
		b = binary.BigEndian.AppendUint32(append(b, 0xdb), uint32(n))
	}
	return append(b, s...)
}
