package provider

import (
	"context"
	"encoding/binary"
	"fmt"
	"maps"
	"slices"
	"sync/atomic"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/campaignops/terraform-provider-campaigns/internal/client/evolux"
)

// NewProtocol6Server is the framework's server with the report's records spliced into its state
// (BENCHMARKS.md, issue 18: 7.5 s of CPU and 415 MB for 100,000 records without).
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

// frameworkServer is every server tf6server asserts (TestReportServer_forwardsWhatTf6serverAsserts).
type frameworkServer interface {
	tfprotov6.ProviderServer
	tfprotov6.ListResourceServer
	tfprotov6.ActionServer
	tfprotov6.StateStoreServer
}

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

type reportServer struct {
	frameworkServer
	spliced atomic.Int64 // reads whose records were spliced in (tests)
}

func (s *reportServer) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	handoff := &subscribersHandoff{}
	resp, err := s.frameworkServer.ReadDataSource(context.WithValue(ctx, subscribersHandoffKey{}, handoff), req)
	if err != nil || resp == nil || resp.State == nil || handoff.stateType == nil ||
		slices.ContainsFunc(resp.Diagnostics, func(d *tfprotov6.Diagnostic) bool { return d.Severity == tfprotov6.DiagnosticSeverityError }) {
		return resp, err
	}
	if state, spliceErr := handoff.splice(resp.State); spliceErr == nil {
		resp.State = state
		s.spliced.Add(1)
	} else {
		resp.State = nil
		resp.Diagnostics = append(resp.Diagnostics, &tfprotov6.Diagnostic{Severity: tfprotov6.DiagnosticSeverityError,
			Summary: "Cannot encode the Evolux subscribers",
			Detail:  "Encoding the records of campaigns_evolux_subscribers into the state failed: " + spliceErr.Error()})
	}
	return resp, nil
}

type subscribersHandoffKey struct{}

// subscribersHandoff receives one read's records as the MessagePack elements of `subscribers`.
type subscribersHandoff struct {
	stateType   *tftypes.Object // set when the data source left `subscribers` to the handoff
	pages       [][]byte        // encoded elements, page by page
	buffer      []byte
	count, size int
}

// subscriberAttributes are an element's attributes, sorted by name as tftypes encodes objects.
var subscriberAttributes = []struct {
	name  string
	value func(*evolux.Subscriber) *string
}{
	{"campaign_uuid", func(s *evolux.Subscriber) *string { return s.CampaignUUID }},
	{"created_at", func(s *evolux.Subscriber) *string { return s.CreatedAt }},
	{"name", func(s *evolux.Subscriber) *string { return s.Name }},
	{"phone_number", func(s *evolux.Subscriber) *string { return s.PhoneNumber }},
	{"raw", subscriberRaw},
	{"state", func(s *evolux.Subscriber) *string { return s.State }},
	{"template_uuid", func(s *evolux.Subscriber) *string { return s.TemplateUUID }},
}

// subscriberRaw is the value of `raw`: null when the record has no text.
func subscriberRaw(s *evolux.Subscriber) *string {
	if s.Raw == "" {
		return nil
	}
	return &s.Raw
}

// add encodes a page of records in a reused buffer: each page is allocated once, at its size.
func (h *subscribersHandoff) add(records []evolux.Subscriber) {
	page := h.buffer[:0]
	for i := range records {
		page = appendHeader(page, 0x80, 0xde, len(subscriberAttributes))
		for _, attribute := range subscriberAttributes {
			page = appendString(page, attribute.name)
			if value := attribute.value(&records[i]); value != nil {
				page = appendString(page, *value)
			} else {
				page = append(page, msgpackNil)
			}
		}
	}
	h.buffer = page
	h.pages = append(h.pages, slices.Clone(page))
	h.count += len(records)
	h.size += len(page)
}

// splice is the framework's state with the records as `subscribers`, the rest re-encoded by tftypes.
func (h *subscribersHandoff) splice(state *tfprotov6.DynamicValue) (*tfprotov6.DynamicValue, error) {
	value, err := state.Unmarshal(*h.stateType)
	var attributes map[string]tftypes.Value
	if err == nil {
		err = value.As(&attributes)
	}
	if err != nil {
		return nil, err
	}
	names := slices.Sorted(maps.Keys(h.stateType.AttributeTypes))
	out := appendHeader(make([]byte, 0, len(state.MsgPack)+5+h.size), 0x80, 0xde, len(names))
	for _, name := range names {
		out = appendString(out, name)
		if name == "subscribers" {
			out = appendHeader(out, 0x90, 0xdc, h.count)
			for i, page := range h.pages {
				out = append(out, page...)
				h.pages[i] = nil // released as soon as copied
			}
			continue
		}
		encoded, err := tfprotov6.NewDynamicValue(h.stateType.AttributeTypes[name], attributes[name])
		if err != nil {
			return nil, err
		}
		out = append(out, encoded.MsgPack...)
	}
	return &tfprotov6.DynamicValue{MsgPack: out}, nil
}

const msgpackNil = 0xc0

// appendHeader appends a MessagePack map (fix 0x80, code 0xde) or array (0x90, 0xdc) header; 32-bit is code+1.
func appendHeader(b []byte, fix, code byte, n int) []byte {
	switch {
	case n < 16:
		return append(b, fix|byte(n))
	case n <= 0xffff:
		return binary.BigEndian.AppendUint16(append(b, code), uint16(n))
	}
	return binary.BigEndian.AppendUint32(append(b, code+1), uint32(n))
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
