package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	goversion "github.com/hashicorp/go-version"
	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// Some acceptance tests need what terraform-plugin-testing cannot give:
// -parallelism, re-running apply only while it fails, the CLI's own TF_LOG,
// and example directories applied exactly as a user would. They drive the real CLI (TF_ACC_TERRAFORM_PATH) directly, with this
// test binary serving the provider: when the CLI starts it as a plugin, the
// environment variable below makes init serve the provider instead of
// running tests. No separate build is needed, and the provider under test is
// exactly the code of this test run.
const serveProviderEnv = "CAMPAIGNS_ACC_SERVE_PROVIDER"

func init() {
	if os.Getenv(serveProviderEnv) == "" {
		return
	}
	err := Serve("acc")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}

// devProviderVersion is the version the filesystem mirror offers, so that
// init succeeds offline (scripts/devprovider.sh does the same); dev_overrides
// then run this binary whatever the lock file says.
const devProviderVersion = "0.0.1"

// cliCommandTimeout fails a CLI command that hangs instead of blocking the run.
const cliCommandTimeout = 5 * time.Minute

// cliWorkdir is a configuration directory and a CLI configuration that runs
// the provider from this test binary.
type cliWorkdir struct {
	t       *testing.T
	cli     string
	version *goversion.Version
	dir     string
	env     []string
}

// cliResult is one CLI command's outcome.
type cliResult struct {
	stdout   string
	stderr   string
	exitCode int
	err      error
	elapsed  time.Duration
}

func (r cliResult) output() string { return r.stdout + r.stderr }

// newCLIWorkdir writes config (without the terraform block, which it adds)
// into a new directory. It skips the test when TF_ACC is unset, like every
// acceptance test.
func newCLIWorkdir(t *testing.T, config string) *cliWorkdir {
	t.Helper()
	if os.Getenv(resource.EnvTfAcc) == "" {
		t.Skipf("acceptance test: runs the CLI; set %s=1 (scripts/testacc.sh does)", resource.EnvTfAcc)
	}
	cli := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if cli == "" {
		var err error
		if cli, err = exec.LookPath("terraform"); err != nil {
			t.Fatalf("%s is set but there is no CLI: set TF_ACC_TERRAFORM_PATH (scripts/testacc.sh does)", resource.EnvTfAcc)
		}
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatalf("locating the test binary: %s", err)
	}

	root := t.TempDir()
	link := func(dir, name string) {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(exe, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	plugins := filepath.Join(root, "plugins")
	link(plugins, "terraform-provider-campaigns")
	for _, host := range []string{"registry.terraform.io", "registry.opentofu.org"} {
		link(filepath.Join(root, "mirror", host, "campaignops", "campaigns", devProviderVersion, runtime.GOOS+"_"+runtime.GOARCH),
			"terraform-provider-campaigns_v"+devProviderVersion)
	}
	cliConfig := filepath.Join(root, "cli.tfrc")
	writeFile(t, cliConfig, fmt.Sprintf(`provider_installation {
  dev_overrides {
    "campaignops/campaigns" = %q
  }
  filesystem_mirror {
    path    = %q
    include = ["campaignops/campaigns"]
  }
}
`, plugins, filepath.Join(root, "mirror")))

	dir := filepath.Join(root, "work")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	w := &cliWorkdir{t: t, cli: cli, dir: dir}
	w.writeConfig(config)
	w.env = append(cliBaseEnv(),
		"TF_CLI_CONFIG_FILE="+cliConfig,
		"CHECKPOINT_DISABLE=1",
		"TF_IN_AUTOMATION=1",
		"TF_INPUT=0",
		serveProviderEnv+"=1",
	)
	w.version = w.cliVersion()
	return w
}

// writeConfig replaces the configuration (without the terraform block,
// which it adds).
func (w *cliWorkdir) writeConfig(config string) {
	writeFile(w.t, filepath.Join(w.dir, "main.tf"), requiredProvidersBlock+config)
}

// requiredProvidersBlock names the provider as users' configurations do.
const requiredProvidersBlock = `terraform {
  required_providers {
    campaigns = {
      source = "campaignops/campaigns"
    }
  }
}
`

// cliBaseEnv is this process's environment without the variables that would
// change what the CLI does: logging, data directory, extra arguments,
// providers attached by terraform-plugin-testing.
func cliBaseEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(name, "TF_LOG"), strings.HasPrefix(name, "TF_CLI_ARGS"),
			name == "TF_CLI_CONFIG_FILE", name == "TF_DATA_DIR", name == "TF_WORKSPACE",
			name == "TF_REATTACH_PROVIDERS", name == "TF_PLUGIN_CACHE_DIR", name == serveProviderEnv:
			continue
		}
		env = append(env, kv)
	}
	return env
}

func writeFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// setEnv adds or replaces variables of the CLI's environment.
func (w *cliWorkdir) setEnv(kv ...string) {
	for _, pair := range kv {
		name, _, _ := strings.Cut(pair, "=")
		w.env = slices.DeleteFunc(w.env, func(e string) bool { return strings.HasPrefix(e, name+"=") })
		w.env = append(w.env, pair)
	}
}

func (w *cliWorkdir) cliVersion() *goversion.Version {
	res := w.must("version", "-json")
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &v); err != nil {
		w.t.Fatalf("reading the CLI version: %s\n%s", err, res.stdout)
	}
	version, err := goversion.NewVersion(v.Version)
	if err != nil {
		w.t.Fatalf("reading the CLI version %q: %s", v.Version, err)
	}
	return version
}

// run runs one CLI command in the configuration directory.
func (w *cliWorkdir) run(args ...string) cliResult {
	w.t.Helper()
	return w.runWithin(cliCommandTimeout, args...)
}

// runWithin runs a command that must finish within limit: the test fails,
// and the command is killed, if it does not.
func (w *cliWorkdir) runWithin(limit time.Duration, args ...string) cliResult {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, w.cli, args...)
	cmd.Dir = w.dir
	cmd.Env = w.env
	cmd.WaitDelay = 10 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	res := cliResult{stdout: stdout.String(), stderr: stderr.String(), err: err, elapsed: time.Since(start)}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		res.exitCode = exitErr.ExitCode()
	}
	if ctx.Err() != nil {
		w.t.Fatalf("%s %s did not finish within %s: it hangs\n%s", filepath.Base(w.cli), strings.Join(args, " "), limit, res.output())
	}
	return res
}

// must runs a command that has to succeed.
func (w *cliWorkdir) must(args ...string) cliResult {
	w.t.Helper()
	res := w.run(args...)
	if res.err != nil {
		w.t.Fatalf("%s %s failed: %s\n%s", filepath.Base(w.cli), strings.Join(args, " "), res.err, res.output())
	}
	return res
}

// initWorkdir runs init, which installs the provider from the mirror.
func (w *cliWorkdir) initWorkdir() { w.must("init", "-input=false", "-no-color") }

// state is the current state, as show -json gives it.
func (w *cliWorkdir) state() *tfjson.State {
	w.t.Helper()
	res := w.must("show", "-json", "-no-color")
	var state tfjson.State
	if err := json.Unmarshal([]byte(res.stdout), &state); err != nil {
		w.t.Fatalf("decoding show -json: %s", err)
	}
	return &state
}

// savedPlan is the plan in planFile, as show -json gives it.
func (w *cliWorkdir) savedPlan(planFile string) (*tfjson.Plan, string) {
	w.t.Helper()
	res := w.must("show", "-json", "-no-color", planFile)
	var plan tfjson.Plan
	if err := json.Unmarshal([]byte(res.stdout), &plan); err != nil {
		w.t.Fatalf("decoding show -json %s: %s", planFile, err)
	}
	return &plan, res.stdout
}

// stateResources are the managed resource instances of one type in state.
func stateResources(state *tfjson.State, typ string) []*tfjson.StateResource {
	var out []*tfjson.StateResource
	if state.Values == nil || state.Values.RootModule == nil {
		return nil
	}
	for _, r := range state.Values.RootModule.Resources {
		if r.Mode == tfjson.ManagedResourceMode && r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

func attrString(r *tfjson.StateResource, name string) string {
	s, _ := r.AttributeValues[name].(string)
	return s
}

// changesOtherThanNoOp lists the planned changes that are not no-ops. With
// allowCheckReads, data source reads (and the output updates they cause) are
// not counted: data sources nested in check blocks are read by every plan.
func changesOtherThanNoOp(plan *tfjson.Plan, allowCheckReads bool) []string {
	var changes []string
	for _, rc := range plan.ResourceChanges {
		if rc.Change == nil || rc.Change.Actions.NoOp() {
			continue
		}
		if allowCheckReads && rc.Mode == tfjson.DataResourceMode && rc.Change.Actions.Read() {
			continue
		}
		changes = append(changes, fmt.Sprintf("%s: %v", rc.Address, rc.Change.Actions))
	}
	for name, oc := range plan.OutputChanges {
		if oc != nil && !oc.Actions.NoOp() && !(allowCheckReads && oc.Actions.Update()) {
			changes = append(changes, fmt.Sprintf("output.%s: %v", name, oc.Actions))
		}
	}
	sort.Strings(changes)
	return changes
}

// cliDiagnostic is one diagnostic of a command run with -json.
type cliDiagnostic struct {
	Severity string `json:"severity"`
	Summary  string `json:"summary"`
	Detail   string `json:"detail"`
	Address  string `json:"address"`
}

// jsonDiagnostics reads the diagnostics of a command run with -json; unlike
// the human output, which folds similar warnings into one, it has each.
func jsonDiagnostics(t *testing.T, stdout string) []cliDiagnostic {
	t.Helper()
	var diags []cliDiagnostic
	for _, line := range strings.Split(stdout, "\n") {
		if !strings.HasPrefix(line, "{") {
			continue
		}
		var msg struct {
			Type       string        `json:"type"`
			Diagnostic cliDiagnostic `json:"diagnostic"`
		}
		if err := json.Unmarshal([]byte(line), &msg); err != nil {
			t.Fatalf("decoding a -json line: %s: %s", err, line)
		}
		if msg.Type == "diagnostic" {
			diags = append(diags, msg.Diagnostic)
		}
	}
	return diags
}
