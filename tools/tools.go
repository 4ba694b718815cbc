//go:build tools

// Package tools pins the versions of the development tools the GNUmakefile runs.
package tools

import _ "github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs"
