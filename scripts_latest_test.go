//go:build unix

package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// scripts/cli.sh latest finds a Terraform >= 1.14: TF_LATEST_PATH, else one
// on PATH, else ../shared/tools/terraform-1.15.9 beside the clone; and
// scripts/testacc.sh latest, where there is none, prints one line and
// succeeds. The scripts run from a copy of the clone with fake CLIs (they
// answer `version -json`) and a fake `go` that answers `go env GOPATH`.
func TestCLILatest(t *testing.T) {
	fake := func(path, version string) string {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		script := "#!/bin/sh\necho '{\"terraform_version\": \"" + version + "\"}'\n"
		if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
		return path
	}
	tests := []struct {
		name       string
		onPath     string // version of a terraform on PATH, "" for none
		shared     bool   // ../shared/tools/terraform-1.15.9 beside the clone
		latestPath string // version of the CLI TF_LATEST_PATH names, "" unset
		want       string // "path", "shared", "latest-path", or "" for none
	}{
		{name: "TF_LATEST_PATH wins", onPath: "1.15.0", shared: true, latestPath: "1.14.2", want: "latest-path"},
		{name: "TF_LATEST_PATH too old fails", onPath: "1.15.0", latestPath: "1.11.4", want: ""},
		{name: "terraform on PATH", onPath: "1.14.0", shared: true, want: "path"},
		{name: "terraform on PATH too old: the shared one", onPath: "1.11.4", shared: true, want: "shared"},
		{name: "none", onPath: "1.11.4", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			work := t.TempDir()
			repo := filepath.Join(work, "repo")
			for _, name := range []string{"cli.sh", "testacc.sh"} {
				content, err := os.ReadFile(filepath.Join("scripts", name))
				if err != nil {
					t.Fatal(err)
				}
				if err := os.MkdirAll(filepath.Join(repo, "scripts"), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(repo, "scripts", name), content, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			bin := filepath.Join(work, "bin")
			if err := os.MkdirAll(bin, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(bin, "go"), []byte("#!/bin/sh\n[ \"$1 $2\" = 'env GOPATH' ] && echo "+work+"/gopath && exit 0\nexit 1\n"), 0o755); err != nil {
				t.Fatal(err)
			}
			want := map[string]string{}
			if tt.onPath != "" {
				want["path"] = fake(filepath.Join(bin, "terraform"), tt.onPath)
			}
			if tt.shared {
				fake(filepath.Join(work, "shared", "tools", "terraform-1.15.9"), "1.15.9")
				want["shared"] = filepath.Join(repo, "..", "shared", "tools", "terraform-1.15.9")
			}
			env := []string{"PATH=" + bin + ":/usr/bin:/bin", "HOME=" + work}
			if tt.latestPath != "" {
				want["latest-path"] = fake(filepath.Join(work, "other", "terraform"), tt.latestPath)
				env = append(env, "TF_LATEST_PATH="+want["latest-path"])
			}

			cmd := exec.Command(filepath.Join(repo, "scripts", "cli.sh"), "latest")
			cmd.Env = env
			out, err := cmd.Output()
			got := strings.TrimSpace(string(out))
			if tt.want == "" {
				var exitErr *exec.ExitError
				if !errors.As(err, &exitErr) || exitErr.ExitCode() != 3 {
					t.Fatalf("cli.sh latest: %v, printed %q; want exit status 3", err, got)
				}
			} else if err != nil || got != want[tt.want] {
				t.Fatalf("cli.sh latest: %v, printed %q; want %q", err, got, want[tt.want])
			}

			if tt.want == "" && tt.latestPath == "" {
				// No such CLI: testacc.sh latest says so in one line and
				// succeeds, without running any test.
				cmd := exec.Command(filepath.Join(repo, "scripts", "testacc.sh"), "latest")
				cmd.Env = env
				out, err := cmd.CombinedOutput()
				lines := strings.Split(strings.TrimSpace(string(out)), "\n")
				if err != nil || len(lines) != 1 || !strings.Contains(lines[0], "skipped under Terraform >= 1.14") {
					t.Errorf("testacc.sh latest without a CLI: %v, printed %q; want one line saying it skipped", err, out)
				}
			}
		})
	}
}
