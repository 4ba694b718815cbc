package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// `make unit` runs the plain tests of every package that has tests, the
// provider's included, and runs them without TF_ACC so that a test that
// silently needs the CLI skips instead of passing for the wrong reason.
func TestMakeUnitCoversEveryPackageWithTests(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	dryRun, err := exec.Command("make", "--no-print-directory", "-n", "unit").Output()
	if err != nil {
		t.Fatalf("make -n unit: %v", err)
	}
	var command []string
	for line := range strings.Lines(string(dryRun)) {
		if fields := strings.Fields(line); slices.Contains(fields, "test") {
			command = fields
		}
	}
	if command == nil {
		t.Fatalf("make -n unit runs no go test:\n%s", dryRun)
	}
	if !strings.Contains(strings.Join(command, " "), "-u TF_ACC") {
		t.Errorf("make unit does not unset TF_ACC, so acceptance tests would run in it: %q", command)
	}
	var patterns []string
	for _, arg := range command[slices.Index(command, "test")+1:] {
		if strings.HasPrefix(arg, ".") {
			patterns = append(patterns, arg)
		}
	}
	covered := goList(t, "{{.ImportPath}}", patterns...)
	for _, pkg := range goList(t, "{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}}{{end}}", "./...") {
		if !slices.Contains(covered, pkg) {
			t.Errorf("make unit does not test %s (it runs %q)", pkg, command)
		}
	}
}

func goList(t *testing.T, format string, patterns ...string) []string {
	t.Helper()
	out, err := exec.Command("go", append([]string{"list", "-f", format}, patterns...)...).Output()
	if err != nil {
		t.Fatalf("go list %v: %v", patterns, err)
	}
	return strings.Fields(string(out))
}

// The provider's plain tests (every test not named TestAcc...) run in
// `make unit`, without TF_ACC: none may skip there, which would make it
// pass without testing anything.
func TestProviderPlainTestsDoNotNeedTFACC(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go test on the provider package")
	}
	cmd := exec.Command("go", "test", "-json", "-count=1", "-run", "^Test([^A]|A[^c]|Ac[^c])", "./internal/provider")
	cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "TF_ACC=") })
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go test ./internal/provider: %v\n%s", err, out)
	}
	ran := 0
	for line := range strings.Lines(string(out)) {
		var event struct{ Action, Test, Output string }
		if json.Unmarshal([]byte(line), &event) != nil || event.Test == "" {
			continue
		}
		switch event.Action {
		case "skip":
			t.Errorf("%s skips without TF_ACC: name it TestAcc... or make it run without the CLI", event.Test)
		case "pass":
			ran++
		}
	}
	if ran < 10 {
		t.Errorf("only %d provider tests ran without TF_ACC", ran)
	}
}
