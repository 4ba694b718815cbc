package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/campaignops/terraform-provider-campaigns/internal/emulator"
)

// Ephemeral resources need OpenTofu 1.11+ or Terraform 1.11+ (Terraform 1.10
// has them but OpenTofu 1.10 does not, so 1.11 is the common floor).
var ephemeralResourcesSupported = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)}

const tokenEchoConfig = `
ephemeral "campaigns_builder_token" "this" {}

provider "echo" {
  data = ephemeral.campaigns_builder_token.this
}

resource "echo" "token" {}
`

func tokenIsIssued(srv *emulator.Server) statecheck.StateCheck {
	return statecheck.ExpectKnownValue("echo.token", tfjsonpath.New("data").AtMapKey("token"), knownvalue.StringFunc(func(v string) error {
		if !srv.TokenIssued(v) {
			return fmt.Errorf("token %q was not issued by the emulator", v)
		}
		return nil
	}))
}

func TestAccBuilderToken_logsInWithConfiguration(t *testing.T) {
	srv := startEmulator(t, emulator.Config{})
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   ephemeralResourcesSupported,
		ProtoV6ProviderFactories: testProvidersWithEcho,
		Steps: []resource.TestStep{{
			Config: providerConfig(srv) + tokenEchoConfig,
			ConfigStateChecks: []statecheck.StateCheck{
				tokenIsIssued(srv),
				statecheck.ExpectKnownValue("echo.token", tfjsonpath.New("data").AtMapKey("refresh_token"), knownvalue.NotNull()),
			},
		}},
	})
	if srv.Count(emulator.OpLogin) == 0 {
		t.Error("the emulator counted no login")
	}
}

func TestAccProvider_settingsFromEnvironment(t *testing.T) {
	srv := startEmulator(t, emulator.Config{})
	t.Setenv(envBuilderURL, srv.URL())
	t.Setenv(envBuilderUser, emulator.DefaultUser)
	t.Setenv(envBuilderPassword, emulator.DefaultPassword)
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   ephemeralResourcesSupported,
		ProtoV6ProviderFactories: testProvidersWithEcho,
		Steps: []resource.TestStep{{
			Config:            `provider "campaigns" {}` + tokenEchoConfig,
			ConfigStateChecks: []statecheck.StateCheck{tokenIsIssued(srv)},
		}},
	})
}

func TestAccProvider_configurationBeatsEnvironment(t *testing.T) {
	srv := startEmulator(t, emulator.Config{})
	// Every environment value is wrong: only the configuration can succeed.
	t.Setenv(envBuilderURL, "http://127.0.0.1:1")
	t.Setenv(envBuilderUser, "someone-else@example.com")
	t.Setenv(envBuilderPassword, "wrong-password")
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   ephemeralResourcesSupported,
		ProtoV6ProviderFactories: testProvidersWithEcho,
		Steps: []resource.TestStep{{
			Config:            providerConfig(srv) + tokenEchoConfig,
			ConfigStateChecks: []statecheck.StateCheck{tokenIsIssued(srv)},
		}},
	})
}

func TestAccProvider_missingBuilderCredentialsNameAttributeAndVariable(t *testing.T) {
	srv := startEmulator(t, emulator.Config{})
	cases := map[string]struct {
		builder string
		want    *regexp.Regexp
	}{
		"user":     {fmt.Sprintf(`{ url = %q, password = "x" }`, srv.URL()), regexp.MustCompile(`(?s)builder\.user.*BUILDER_USER`)},
		"password": {fmt.Sprintf(`{ url = %q, user = "x" }`, srv.URL()), regexp.MustCompile(`(?s)builder\.password.*BUILDER_PASSWORD`)},
		"url":      {`{ user = "x", password = "y" }`, regexp.MustCompile(`(?s)builder\.url.*BUILDER_URL`)},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				TerraformVersionChecks:   ephemeralResourcesSupported,
				ProtoV6ProviderFactories: testProvidersWithEcho,
				Steps: []resource.TestStep{{
					Config:      fmt.Sprintf("provider \"campaigns\" {\n  builder = %s\n}\n", tc.builder) + tokenEchoConfig,
					ExpectError: tc.want,
				}},
			})
		})
	}
	t.Cleanup(func() { assertNoRequests(t, srv) })
}

func TestAccProvider_plainHTTPToRemoteHostRefused(t *testing.T) {
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   ephemeralResourcesSupported,
		ProtoV6ProviderFactories: testProvidersWithEcho,
		Steps: []resource.TestStep{{
			Config: `
provider "campaigns" {
  builder = { url = "http://builder.example.com", user = "u", password = "p" }
}
` + tokenEchoConfig,
			ExpectError: regexp.MustCompile(`(?s)builder\.url.*https`),
		}},
	})
}

func TestAccProvider_invalidRequestTimeoutFailsAtPlan(t *testing.T) {
	for name, value := range map[string]string{"not a duration": "soon", "negative": "-1s", "zero": "0s"} {
		t.Run(name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				TerraformVersionChecks:   ephemeralResourcesSupported,
				ProtoV6ProviderFactories: testProvidersWithEcho,
				Steps: []resource.TestStep{{
					Config:      fmt.Sprintf("provider \"campaigns\" {\n  request_timeout = %q\n}\n", value) + tokenEchoConfig,
					ExpectError: regexp.MustCompile(`request_timeout`),
				}},
			})
		})
	}
}
