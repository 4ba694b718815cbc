// Command terraform-provider-campaigns serves the campaigns provider to
// Terraform and OpenTofu over plugin protocol 6.
package main

import (
	"flag"
	"log"
	"os"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/campaignops/terraform-provider-campaigns/internal/provider"
)

// version is set by the release build: -ldflags "-X main.version=1.2.3".
var version = "dev"

func main() {
	var debugMode bool
	flag.BoolVar(&debugMode, "debug", false, "run with support for debuggers such as delve")
	flag.Parse()

	// Kept, measured (make bench, issue 18): without it the provider processes of an apply of 200 took 1.6–2.4 s of CPU, not 0.8–1.3 s.
	// No soft memory limit: with and without 350 MiB, a plan reading 100,000 Evolux records peaked at 229–238 MB for the same CPU.
	if !debugMode {
		silenceUncollectedLogs()
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
// OpenTofu parse each line only to drop it unless a TF_LOG variable asks for
// provider logs.
func silenceUncollectedLogs() {
	if provider.LogsCollected() {
		return
	}
	// The levels the SDK reads: its own, its protocol and framework
	// subsystems, and this provider's logger (named after its type).
	for _, name := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER_CAMPAIGNS"} {
		_ = os.Setenv(name, "OFF")
	}
}
