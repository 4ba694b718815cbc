package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// Provider-defined functions need Terraform 1.8+; OpenTofu has them from 1.7, which this check skips too.
var functionsSupported = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)}

// Every function documents itself: the docs pages and the CLI's help are made from these texts.
func TestFunctionsAreDescribed(t *testing.T) {
	p, _ := New("test")().(provider.ProviderWithFunctions)
	var names []string
	for _, newFunction := range p.Functions(t.Context()) {
		f := newFunction()
		var meta function.MetadataResponse
		f.Metadata(t.Context(), function.MetadataRequest{}, &meta)
		names = append(names, meta.Name)
		var def function.DefinitionResponse
		f.Definition(t.Context(), function.DefinitionRequest{}, &def)
		if def.Definition.Summary == "" || def.Definition.MarkdownDescription == "" {
			t.Errorf("%s: no Summary or MarkdownDescription", meta.Name)
		}
		for _, parameter := range def.Definition.Parameters {
			if parameter.GetMarkdownDescription() == "" {
				t.Errorf("%s: parameter %s has no MarkdownDescription", meta.Name, parameter.GetName())
			}
		}
	}
	if got := strings.Join(names, " "); got != "report_window phone_number campaign_created_at" {
		t.Errorf("the provider's functions are %q, want PRODUCT.md's report_window, phone_number and campaign_created_at", got)
	}
}

// runFunction calls f's Run as the framework does, with string arguments.
func runFunction(t *testing.T, f function.Function, args ...string) (attr.Value, *function.FuncError) {
	t.Helper()
	var def function.DefinitionResponse
	f.Definition(t.Context(), function.DefinitionRequest{}, &def)
	values := make([]attr.Value, len(args))
	for i, arg := range args {
		values[i] = types.StringValue(arg)
	}
	result, funcErr := def.Definition.Return.NewResultData(t.Context())
	if funcErr != nil {
		t.Fatal(funcErr)
	}
	resp := function.RunResponse{Result: result}
	f.Run(t.Context(), function.RunRequest{Arguments: function.NewArgumentsData(values)}, &resp)
	return resp.Result.Value(), resp.Error
}

// argumentProblem is "" when err is about f's parameter named parameter and its text holds every
// phrase, else what is wrong.
func argumentProblem(t *testing.T, f function.Function, err *function.FuncError, parameter string, phrases ...string) string {
	t.Helper()
	if err == nil {
		return "no error"
	}
	var def function.DefinitionResponse
	f.Definition(t.Context(), function.DefinitionRequest{}, &def)
	if err.FunctionArgument == nil {
		return fmt.Sprintf("error %q names no argument, want %s", err.Text, parameter)
	}
	if got := def.Definition.Parameters[*err.FunctionArgument].GetName(); got != parameter {
		return fmt.Sprintf("error %q is about %s, want %s", err.Text, got, parameter)
	}
	for _, phrase := range phrases {
		if !strings.Contains(err.Text, phrase) {
			return fmt.Sprintf("error %q does not say %q", err.Text, phrase)
		}
	}
	return ""
}

// The acceptance tests below use resource.Test, not resource.UnitTest: like every test that drives a CLI they
// run under scripts/testacc.sh and skip without TF_ACC, so `make unit` never looks for (or downloads) a CLI.

// functionOutputTest plans one output whose value is expression and expects want.
func functionOutputTest(t *testing.T, expression string, want knownvalue.Check) {
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   functionsSupported,
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf("output \"test\" {\n  value = %s\n}\n", expression),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectKnownOutputValue("test", want)},
			},
		}},
	})
}

// functionErrorTest expects a call to fail, the CLI naming the parameter and the error holding phrases.
func functionErrorTest(t *testing.T, expression, parameter string, phrases ...string) {
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   functionsSupported,
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{{
			Config:      fmt.Sprintf("output \"test\" {\n  value = %s\n}\n", expression),
			ExpectError: wrappedPhrases(append([]string{fmt.Sprintf("Invalid value for %q parameter", parameter)}, phrases...)...),
		}},
	})
}
