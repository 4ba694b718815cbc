package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/campaignops/terraform-provider-campaigns/internal/emulator"
)

// TestReportServer_splicedStateEqualsTheFrameworksState: the state the
// binary's server answers, with the records encoded by the data source and
// spliced in, is the very value the framework answers when the data source
// puts the records in the state itself, for records of every shape (missing
// and null fields, escapes, strings of every MessagePack length form).
func TestReportServer_splicedStateEqualsTheFrameworksState(t *testing.T) {
	records := []json.RawMessage{
		json.RawMessage(`{"name":"Ana","phone_number":"5511","state":"sent","campaign_uuid":"c1","template_uuid":"t1","created_at":"2025-01-01T00:00:00Z"}`),
		json.RawMessage(`{"name":null,"campaign":{"uuid":"c2"},"template":"t2","created_at":1735689600}`),
		json.RawMessage(`{"name":"Jo\u00e3o \"Z\" \\ tab\t","state":"error","phone_number":5511999990000}`),
		json.RawMessage(`{}`),
		json.RawMessage(`[1,2]`),
		json.RawMessage(`{"name":"` + strings.Repeat("x", 31) + `","state":"` + strings.Repeat("y", 32) + `"}`),
		json.RawMessage(`{"name":"` + strings.Repeat("x", 255) + `","state":"` + strings.Repeat("y", 256) + `"}`),
		json.RawMessage(`{"name":"` + strings.Repeat("x", 65535) + `","state":"` + strings.Repeat("y", 65536) + `"}`),
	}
	for _, tt := range []struct {
		name   string
		config func(*emulator.Emulator)
		attrs  map[string]tftypes.Value
	}{
		{"tolerant records", func(e *emulator.Emulator) { e.SetSubscriberRecords(records) }, nil},
		{"2,000 generated records", func(e *emulator.Emulator) { e.SetSubscribers(2_000) }, nil},
		{"with timeouts and a filter", func(e *emulator.Emulator) { e.SetSubscribers(500) },
			map[string]tftypes.Value{
				"state": tftypes.NewValue(tftypes.String, "error"),
				"timeouts": tftypes.NewValue(tftypes.Object{AttributeTypes: map[string]tftypes.Type{"read": tftypes.String}},
					map[string]tftypes.Value{"read": tftypes.NewValue(tftypes.String, "3m")}),
			}},
		{"counts only", func(e *emulator.Emulator) { e.SetSubscribers(500) },
			map[string]tftypes.Value{"include_subscribers": tftypes.NewValue(tftypes.Bool, false)}},
		{"no record", func(e *emulator.Emulator) { e.SetSubscribers(0) }, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := startEmulator(t, emulator.Config{Seed: 5})
			tt.config(srv.Emulator)

			framework := readSubscribersState(t, providerserver.NewProtocol6WithError(New("test")()), srv.URL(), tt.attrs)
			var binary *reportServer
			spliced := readSubscribersState(t, func() (tfprotov6.ProviderServer, error) {
				server, err := NewProtocol6Server("test")()
				binary, _ = server.(*reportServer)
				return server, err
			}, srv.URL(), tt.attrs)
			wantSpliced := int64(1)
			if _, countsOnly := tt.attrs["include_subscribers"]; countsOnly {
				wantSpliced = 0 // nothing to hand over
			}
			if binary == nil {
				t.Fatal("NewProtocol6Server is not the report server")
			}
			if got := binary.spliced.Load(); got != wantSpliced {
				t.Fatalf("the binary's server spliced %d reads, want %d", got, wantSpliced)
			}

			if !spliced.Equal(framework) {
				diffs, err := spliced.Diff(framework)
				t.Fatalf("the spliced state differs from the framework's: %d differences (%v), first %v", len(diffs), err, firstDiff(diffs))
			}
			var attributes map[string]tftypes.Value
			if err := spliced.As(&attributes); err != nil {
				t.Fatal(err)
			}
			if wantSpliced == 1 && attributes["subscribers"].IsNull() {
				t.Fatal("subscribers is null")
			}
		})
	}
}

// subscribersTypeName is the data source's full type name.
const subscribersTypeName = "campaigns_evolux_subscribers"

func firstDiff(diffs []tftypes.ValueDiff) string {
	if len(diffs) == 0 {
		return "none"
	}
	return fmt.Sprintf("at %s: %s / %s", diffs[0].Path, diffs[0].Value1, diffs[0].Value2)
}

// readSubscribersState configures the server for the emulator and reads
// the data source with the given arguments (others null), as a plan does.
func readSubscribersState(t *testing.T, factory func() (tfprotov6.ProviderServer, error), url string, attrs map[string]tftypes.Value) tftypes.Value {
	t.Helper()
	ctx := context.Background()
	server, err := factory()
	if err != nil {
		t.Fatal(err)
	}
	schemas, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	providerType, ok1 := schemas.Provider.ValueType().(tftypes.Object)
	evoluxType, ok2 := providerType.AttributeTypes["evolux"].(tftypes.Object)
	dataType, ok3 := schemas.DataSourceSchemas[subscribersTypeName].ValueType().(tftypes.Object)
	if !ok1 || !ok2 || !ok3 {
		t.Fatal("the schemas are not objects")
	}
	providerConfig := nullObject(providerType, map[string]tftypes.Value{
		"evolux": nullObject(evoluxType, map[string]tftypes.Value{
			"url":   tftypes.NewValue(tftypes.String, url),
			"token": tftypes.NewValue(tftypes.String, emulator.DefaultEvoluxToken),
		}),
	})
	config, err := tfprotov6.NewDynamicValue(providerType, providerConfig)
	if err != nil {
		t.Fatal(err)
	}
	configured, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{TerraformVersion: "1.12.6", Config: &config})
	if err != nil || len(configured.Diagnostics) > 0 {
		t.Fatalf("configure: %v %v", err, configured.Diagnostics)
	}
	dataConfig, err := tfprotov6.NewDynamicValue(dataType, nullObject(dataType, attrs))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := server.ReadDataSource(ctx, &tfprotov6.ReadDataSourceRequest{TypeName: subscribersTypeName, Config: &dataConfig})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range resp.Diagnostics {
		t.Fatalf("read: %s: %s", d.Summary, d.Detail)
	}
	state, err := resp.State.Unmarshal(dataType)
	if err != nil {
		t.Fatalf("the state does not decode: %v", err)
	}
	return state
}

// nullObject is an object of typ with attrs set and every other attribute null.
func nullObject(typ tftypes.Object, attrs map[string]tftypes.Value) tftypes.Value {
	values := make(map[string]tftypes.Value, len(typ.AttributeTypes))
	for name, attributeType := range typ.AttributeTypes {
		if v, ok := attrs[name]; ok {
			values[name] = v
		} else {
			values[name] = tftypes.NewValue(attributeType, nil)
		}
	}
	return tftypes.NewValue(typ, values)
}

// TestReportServer_forwardsWhatTf6serverAsserts: go-plugin's tf6server
// finds list resources, actions and state stores by type assertion on the
// server it serves, and a wrapper hides whatever it does not embed. This
// reads every tfprotov6 interface tf6server asserts, in the
// terraform-plugin-go that go.mod names, and fails on one the report
// server does not implement or this test does not know yet (then add it to
// frameworkServer and here).
func TestReportServer_forwardsWhatTf6serverAsserts(t *testing.T) {
	server, err := NewProtocol6Server("test")()
	if err != nil {
		t.Fatal(err)
	}
	//nolint:staticcheck // the names tf6server asserts, deprecated or not
	known := map[string]reflect.Type{
		"ProviderServer":                 reflect.TypeFor[tfprotov6.ProviderServer](),
		"ProviderServerWithListResource": reflect.TypeFor[tfprotov6.ProviderServerWithListResource](),
		"ProviderServerWithActions":      reflect.TypeFor[tfprotov6.ProviderServerWithActions](),
		"ProviderServerWithStateStores":  reflect.TypeFor[tfprotov6.ProviderServerWithStateStores](),
	}
	out, err := exec.Command("go", "list", "-f", "{{.Dir}}", "github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server").Output()
	if err != nil {
		t.Fatalf("go list tf6server: %v", err)
	}
	files, err := filepath.Glob(filepath.Join(strings.TrimSpace(string(out)), "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("tf6server's sources: %v %v", files, err)
	}
	asserted := map[string]bool{}
	for _, file := range files {
		source, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`\.\(\s*tfprotov6\.(\w+)\s*\)`).FindAllStringSubmatch(string(source), -1) {
			asserted[m[1]] = true
		}
	}
	if len(asserted) == 0 {
		t.Fatal("found no type assertion in tf6server: the pattern is out of date")
	}
	for name := range asserted {
		typ, ok := known[name]
		switch {
		case !ok:
			t.Errorf("tf6server asserts tfprotov6.%s, which the report server may hide: forward it (frameworkServer) and list it here", name)
		case !reflect.TypeOf(server).Implements(typ):
			t.Errorf("the report server hides tfprotov6.%s", name)
		}
	}
	schema, err := server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || len(schema.ListResourceSchemas) == 0 || len(schema.ActionSchemas) == 0 {
		t.Errorf("the schema lists %d list resources and %d actions (%v)", len(schema.ListResourceSchemas), len(schema.ActionSchemas), err)
	}
}

// TestMessagePackForms: the headers the report server writes decode, as
// tftypes reads them, on both sides of every length boundary.
func TestMessagePackForms(t *testing.T) {
	for _, n := range []int{0, 15, 16, 65535, 65536} {
		encoded := appendHeader(nil, 0x90, 0xdc, n)
		for range n {
			encoded = append(encoded, msgpackNil)
		}
		value, err := fromMsgPack(encoded, tftypes.List{ElementType: tftypes.String})
		var elems []tftypes.Value
		if err != nil || value.As(&elems) != nil || len(elems) != n {
			t.Fatalf("an array of %d: %d elements, %v", n, len(elems), err)
		}
	}
	for _, n := range []int{0, 31, 32, 255, 256, 65535, 65536} {
		text := strings.Repeat("é", n/2) + strings.Repeat("x", n%2)
		encoded := appendString(nil, text)
		value, err := fromMsgPack(encoded, tftypes.String)
		var got string
		if err != nil || value.As(&got) != nil || got != text {
			t.Fatalf("a string of %d bytes decodes to %d bytes, %v", len(text), len(got), err)
		}
	}
	for _, n := range []int{1, 15, 16, 65536} {
		encoded := appendHeader(nil, 0x80, 0xde, n)
		types := map[string]tftypes.Type{}
		for i := range n {
			name := fmt.Sprintf("a%02d", i)
			types[name] = tftypes.String
			encoded = append(appendString(encoded, name), msgpackNil)
		}
		if _, err := fromMsgPack(encoded, tftypes.Object{AttributeTypes: types}); err != nil {
			t.Fatalf("a map of %d: %v", n, err)
		}
	}
}

func fromMsgPack(encoded []byte, typ tftypes.Type) (tftypes.Value, error) {
	return (&tfprotov6.DynamicValue{MsgPack: encoded}).Unmarshal(typ)
}
