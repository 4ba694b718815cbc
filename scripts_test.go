//go:build unix

package main

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
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

// README's emulator quickstart, run as written in a scratch directory with
// its apply replaced by a note of the settings: it must come back (the
// emulator runs in the background), give the settings of a live emulator,
// and stop it.
func TestREADMEEmulatorQuickstart(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, found := strings.Cut(string(readme), "## The offline emulator")
	_, block, found2 := strings.Cut(section, "```sh\n")
	block, _, found3 := strings.Cut(block, "```")
	if !found || !found2 || !found3 {
		t.Fatal("README has no sh block under \"## The offline emulator\"")
	}
	var script []string
	applies := 0
	for line := range strings.Lines(block) {
		if fields := strings.Fields(line); len(fields) > 1 && (fields[0] == "tofu" || fields[0] == "terraform") && fields[1] == "apply" {
			line = `curl -sf -H "Authorization: Bearer $EVOLUX_TOKEN" "$EVOLUX_URL/api/v1/reports/campaign/subscribers" >report.json` + "\n"
			applies++
		}
		script = append(script, line)
	}
	if applies != 1 {
		t.Fatalf("the quickstart has %d apply lines, want 1:\n%s", applies, block)
	}
	root, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	// The quickstart runs in the clone; here it runs in a scratch directory,
	// and go runs in the clone with its bin/ output sent to the scratch one.
	prelude := `go() { local here="$PWD"; (cd "$ROOT" && command go "${@/#bin\//$here/bin/}"); }` + "\n"
	cmd := exec.CommandContext(t.Context(), "bash", "-euo", "pipefail", "-c", prelude+strings.Join(script, ""))
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "ROOT="+root)
	cmd.WaitDelay = 5 * time.Second
	// Its own process group, so that a quickstart that hangs is stopped whole.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	done := make(chan struct{})
	var out []byte
	go func() {
		out, err = cmd.CombinedOutput()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(90 * time.Second):
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
		t.Fatalf("the quickstart did not come back: does it run the emulator in the background?\n%s", out)
	}
	if err != nil {
		t.Fatalf("the quickstart failed: %v\n%s", err, out)
	}
	report, err := os.ReadFile(filepath.Join(cmd.Dir, "report.json"))
	if err != nil || !strings.Contains(string(report), `"phone_number"`) {
		t.Errorf("the emulator's report, as the quickstart starts it, has no subscriber: %.200s (%v)", report, err)
	}
	env, err := os.ReadFile(filepath.Join(cmd.Dir, "emulator.env"))
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(env)) {
		if url, ok := strings.CutPrefix(strings.TrimSpace(line), "BUILDER_URL="); ok && answers(t, url) {
			t.Errorf("the emulator at %s still answers after the quickstart", url)
		}
	}
}

// answers reports whether anything still answers at url after a few
// seconds: a stopped emulator may take a moment to close its listener.
func answers(t *testing.T, url string) bool {
	for range 50 {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return false
		}
		_ = resp.Body.Close()
		time.Sleep(100 * time.Millisecond)
	}
	return true
}
