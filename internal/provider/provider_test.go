package provider

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"

	"github.com/campaignops/terraform-provider-campaigns/internal/emulator"
)

// testProviders runs the provider in-process; each CLI command gets a new
// provider instance, as in real use.
var testProviders = map[string]func() (tfprotov6.ProviderServer, error){
	"campaigns": NewProtocol6Server("test"),
}

// testProvidersWithEcho adds the echo provider, the documented way to look at
// an ephemeral value from a test.
var testProvidersWithEcho = map[string]func() (tfprotov6.ProviderServer, error){
	"campaigns": NewProtocol6Server("test"),
	"echo":      echoprovider.NewProviderServer(),
}

// The provider reads these; a developer's own settings must not leak into tests.
var providerEnvVars = []string{envBuilderURL, envBuilderUser, envBuilderPassword, envBuilderAPIKey, envEvoluxURL, envEvoluxToken}

func TestMain(m *testing.M) {
	for _, name := range providerEnvVars {
		_ = os.Unsetenv(name)
	}
	os.Exit(m.Run())
}

// startEmulator starts an emulator of both APIs on a free loopback port for
// one test, and stops it when the test ends.
func startEmulator(t *testing.T, cfg emulator.Config) *emulator.Server {
	t.Helper()
	srv, err := emulator.Start(cfg)
	if err != nil {
		t.Fatalf("starting the emulator: %s", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// providerConfig configures every setting explicitly for the emulator, with
// short timeouts so that fault tests stay fast.
func providerConfig(srv *emulator.Server) string {
	return providerBlock(srv.URL(), "5s", 3)
}

// providerBlock points both services at url with the emulator's credentials.
func providerBlock(url, requestTimeout string, maxRetries int) string {
	return fmt.Sprintf(`
provider "campaigns" {
  builder = {
    url      = %[1]q
    user     = %[2]q
    password = %[3]q
    api_key  = %[4]q
  }
  evolux = {
    url   = %[1]q
    token = %[5]q
  }
  request_timeout = %[6]q
  max_retries     = %[7]d
}
`, url, emulator.DefaultUser, emulator.DefaultPassword, emulator.DefaultAPIKey, emulator.DefaultEvoluxToken, requestTimeout, maxRetries)
}

// assertNoRequests is called after a test whose steps must fail before
// reaching the API.
func assertNoRequests(t *testing.T, srv *emulator.Server) {
	t.Helper()
	if n := srv.TotalRequests(); n != 0 {
		t.Errorf("the emulator received %d requests (%v), want none", n, srv.Counts())
	}
}

// planCheckFunc runs an action between plan and apply, for tests that change
// the server behind Terraform's back at exactly that moment.
type planCheckFunc func()

func (f planCheckFunc) CheckPlan(context.Context, plancheck.CheckPlanRequest, *plancheck.CheckPlanResponse) {
	f()
}
