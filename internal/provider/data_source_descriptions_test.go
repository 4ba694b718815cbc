package provider

import (
	"context"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
)

// resourceOnlyWording is what a data source attribute's documentation must
// not say: a data source creates, changes and replaces nothing, and plans no
// diff, so such text was copied from a resource.
var resourceOnlyWording = regexp.MustCompile(`(?i)changing it|creates? a new|deletes? this|replacement|generates it|before the first request|mak(e|es|ing) a diff|plan that changes`)

// Every data source of the provider describes its own attributes, nested ones
// included, in its own words.
func TestDataSourceDescriptionsAreTheirOwn(t *testing.T) {
	ctx := context.Background()
	p := New("test")()
	for _, newDataSource := range p.DataSources(ctx) {
		ds := newDataSource()
		var meta datasource.MetadataResponse
		ds.Metadata(ctx, datasource.MetadataRequest{ProviderTypeName: "campaigns"}, &meta)
		var resp datasource.SchemaResponse
		ds.Schema(ctx, datasource.SchemaRequest{}, &resp)
		check := func(where, text string) {
			if text == "" {
				t.Errorf("%s: no MarkdownDescription", where)
			}
			if found := resourceOnlyWording.FindString(text); found != "" {
				t.Errorf("%s says %q, which describes a resource: %s", where, found, text)
			}
		}
		check(meta.TypeName, resp.Schema.MarkdownDescription)
		var walk func(prefix string, attributes map[string]schema.Attribute)
		walk = func(prefix string, attributes map[string]schema.Attribute) {
			for name, attribute := range attributes {
				where := prefix + "." + name
				check(where, attribute.GetMarkdownDescription())
				switch nested := attribute.(type) {
				case schema.ListNestedAttribute:
					walk(where, nested.NestedObject.Attributes)
				case schema.SetNestedAttribute:
					walk(where, nested.NestedObject.Attributes)
				case schema.MapNestedAttribute:
					walk(where, nested.NestedObject.Attributes)
				case schema.SingleNestedAttribute:
					walk(where, nested.Attributes)
				}
			}
		}
		walk(meta.TypeName, resp.Schema.Attributes)
	}
}
