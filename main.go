// Command terraform-provider-campaigns serves the campaigns provider to
// Terraform and OpenTofu over plugin protocol 6.
package main

import (
	"flag"
	"log"
	"os"
	"runtime/debug"
	"strings"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/campaignops/terraform-provider-campaigns/internal/provider"
)

// version is set by the release build: -ldflags "-X main.version=1.2.3".
var version = "dev"

// defaultMemoryLimit is the Go runtime's soft memory limit unless GOMEMLIMIT
// says otherwise. A large campaigns_evolux_subscribers read (100,000
// records) briefly holds several copies of its state in the plugin
// framework; by default the collector lets the heap reach twice what is
// live, so the process peaked near 600 MB. Near the limit the collector runs
// sooner instead, which keeps such a read under about 400 MB at no
// measurable cost in time (BENCHMARKS.md). A provider that needs more than
// the limit keeps working: the limit is soft, and the runtime bounds the
// extra collection work.
const defaultMemoryLimit = 350 << 20

func main() {
	var debugMode bool
	flag.BoolVar(&debugMode, "debug", false, "run with support for debuggers such as delve")
	flag.Parse()

	if !debugMode {
		silenceUncollectedLogs()
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}

	// provider.Serve: the framework's server with the Evolux report's
	// shortcut (provider.NewProtocol6Server), served as providerserver.Serve would.
	var opts []tf6server.ServeOpt
	if debugMode {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	err := provider.Serve(version, opts...)
	if err != nil {
		log.Fatal(err.Error())
	}
}

// silenceUncollectedLogs turns the plugin SDK's and the provider's own logs
// off when nobody will read them. The SDK logs every gRPC call at TRACE
// whatever the CLI's settings, as JSON lines on stderr, and Terraform and
// OpenTofu parse each line only to drop it unless TF_LOG or TF_LOG_PROVIDER
// is set: in an apply of 200 campaigns that was about a third of the wall
// time. Any TF_LOG* variable that can make the CLI keep provider logs, or
// that sets the SDK's own levels, leaves logging as it was.
func silenceUncollectedLogs() {
	for _, kv := range os.Environ() {
		name, value, _ := strings.Cut(kv, "=")
		if value == "" || !strings.HasPrefix(name, "TF_LOG") {
			continue
		}
		if name == "TF_LOG_CORE" || name == "TF_LOG_PATH" {
			continue // core logs only; a path without a level logs nothing
		}
		return
	}
	// The levels the SDK reads: its own, its protocol and framework
	// subsystems, and this provider's logger (named after its type).
	for _, name := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER_CAMPAIGNS"} {
		_ = os.Setenv(name, "OFF")
	}
}
