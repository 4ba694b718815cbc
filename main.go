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

	var opts []tf6server.ServeOpt
	if debugMode {
		opts = append(opts, tf6server.WithManagedDebug())
	} else {
		// Kept, measured (make bench, issue 18): without it the provider processes of an apply of 200
		// took 1.6–2.4 s of CPU, not 0.8–1.3 s. No soft memory limit: with and without 350 MiB, a plan
		// reading 100,000 Evolux records peaked at 229–238 MB for the same CPU.
		silenceUncollectedLogs()
	}
	// The framework's server with the Evolux report's shortcut, served as providerserver.Serve would.
	if err := provider.Serve(version, opts...); err != nil {
		log.Fatal(err.Error())
	}
}

// silenceUncollectedLogs turns off the plugin SDK's and the provider's own logs unless a TF_LOG
// variable asks for provider logs: the SDK logs every gRPC call at TRACE as JSON lines on stderr,
// which Terraform and OpenTofu parse only to drop. The levels are the SDK's own, its protocol and
// framework subsystems', and this provider's logger's (named after its type).
func silenceUncollectedLogs() {
	if provider.LogsCollected() {
		return
	}
	for _, name := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER_CAMPAIGNS"} {
		_ = os.Setenv(name, "OFF")
	}
}
