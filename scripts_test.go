package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// scripts/demo-cli.sh runs the CLI that is installed and builds OpenTofu
// only when none is usable. Fake CLIs print a version; a fake `go` answers
// `go env GOPATH` and fails anything else, so a build attempt fails the case.
func TestDemoCLIUsesWhatIsInstalled(t *testing.T) {
	demo, err := os.ReadFile("scripts/demo.sh")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(demo), `cli="$("$root/scripts/demo-cli.sh")"`) {
		t.Fatal("scripts/demo.sh does not pick its CLI with scripts/demo-cli.sh")
	}
	fakeCLI := func(dir, name, firstLine string) string {
		t.Helper()
		path := filepath.Join(dir, name)
		script := "#!/bin/sh\necho '" + firstLine + "'\necho 'on linux_amd64'\n"
		if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
		return path
	}
	tests := []struct {
		name     string
		onPath   map[string]string // command name: first line of its `version`
		demoCLI  string            // DEMO_CLI; "@other" stands for a CLI outside PATH
		want     string            // the chosen command's name, "built" for scripts/cli.sh's OpenTofu
		wantFail bool
	}{
		{name: "OpenTofu and Terraform installed: OpenTofu",
			onPath: map[string]string{"tofu": "OpenTofu v1.12.6", "terraform": "Terraform v1.11.4"}, want: "tofu"},
		{name: "only Terraform 1.8",
			onPath: map[string]string{"terraform": "Terraform v1.8.0"}, want: "terraform"},
		{name: "OpenTofu too old, Terraform recent",
			onPath: map[string]string{"tofu": "OpenTofu v1.10.7", "terraform": "Terraform v1.15.9"}, want: "terraform"},
		{name: "OpenTofu 2.0",
			onPath: map[string]string{"tofu": "OpenTofu v2.0.0"}, want: "tofu"},
		{name: "nothing usable: OpenTofu from scripts/cli.sh",
			onPath: map[string]string{"tofu": "OpenTofu v1.9.0", "terraform": "Terraform v1.7.5"}, want: "built"},
		{name: "nothing installed", want: "built"},
		{name: "DEMO_CLI=terraform picks it over tofu",
			onPath: map[string]string{"tofu": "OpenTofu v1.12.6", "terraform": "Terraform v1.11.4"}, demoCLI: "terraform", want: "terraform"},
		{name: "DEMO_CLI=path",
			onPath: map[string]string{"tofu": "OpenTofu v1.12.6"}, demoCLI: "@other", want: "other"},
		{name: "DEMO_CLI=path of a CLI too old",
			onPath: map[string]string{"tofu": "OpenTofu v1.12.6"}, demoCLI: "@old", wantFail: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			bin := filepath.Join(dir, "bin")
			gopath := filepath.Join(dir, "gopath")
			for _, d := range []string{bin, filepath.Join(gopath, "bin")} {
				if err := os.MkdirAll(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			for name, version := range tt.onPath {
				fakeCLI(bin, name, version)
			}
			built := fakeCLI(filepath.Join(gopath, "bin"), "tofu-1.12.6", "OpenTofu v1.12.6")
			fakeCLI(dir, "other", "Terraform v1.15.9")
			fakeCLI(dir, "old", "Terraform v1.5.7")
			goScript := "#!/bin/sh\nif [ \"$1 $2\" = 'env GOPATH' ]; then echo '" + gopath + "'; exit 0; fi\necho \"unexpected: go $*\" >&2\nexit 1\n"
			if err := os.WriteFile(filepath.Join(bin, "go"), []byte(goScript), 0o755); err != nil {
				t.Fatal(err)
			}
			demoCLI := tt.demoCLI
			if strings.HasPrefix(demoCLI, "@") {
				demoCLI = filepath.Join(dir, demoCLI[1:])
			}
			cmd := exec.Command("scripts/demo-cli.sh")
			cmd.Env = append(os.Environ(), "PATH="+bin+":/usr/bin:/bin", "DEMO_CLI="+demoCLI)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if tt.wantFail {
				if err == nil {
					t.Fatalf("chose %q, want a failure", out)
				}
				return
			}
			if err != nil {
				t.Fatalf("scripts/demo-cli.sh: %v\n%s", err, stderr.String())
			}
			want := filepath.Join(bin, tt.want)
			switch tt.want {
			case "built":
				want = built
			case "other":
				want = demoCLI
			}
			if got := strings.TrimSpace(string(out)); got != want {
				t.Errorf("chose %s, want %s\n%s", got, want, stderr.String())
			}
		})
	}
}
