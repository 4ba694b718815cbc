package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/campaignops/terraform-provider-campaigns/internal/client/builder"
	"github.com/campaignops/terraform-provider-campaigns/internal/client/evolux"
	"github.com/campaignops/terraform-provider-campaigns/internal/emulator"
)

// readUntilReady collects KEY=VALUE lines until "ready".
func readUntilReady(t *testing.T, out io.Reader) (map[string]string, []string) {
	t.Helper()
	values := map[string]string{}
	var lines []string
	scanner := bufio.NewScanner(out)
	for scanner.Scan() {
		line := scanner.Text()
		if line == "ready" {
			return values, lines
		}
		lines = append(lines, line)
		key, value, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("unexpected line %q", line)
		}
		values[key] = value
	}
	t.Fatalf("no ready line (read %q, err %v)", lines, scanner.Err())
	return nil, nil
}

func checkServes(t *testing.T, values map[string]string) {
	t.Helper()
	for _, key := range []string{"BUILDER_URL", "EVOLUX_URL", "BUILDER_USER", "BUILDER_PASSWORD", "BUILDER_API_KEY", "EVOLUX_TOKEN"} {
		if values[key] == "" {
			t.Errorf("%s missing from %v", key, values)
		}
	}
	if !strings.HasPrefix(values["BUILDER_URL"], "http://127.0.0.1:") || values["EVOLUX_URL"] != values["BUILDER_URL"] {
		t.Errorf("URLs %q and %q", values["BUILDER_URL"], values["EVOLUX_URL"])
	}
	body := `{"user":"` + values["BUILDER_USER"] + `","password":"` + values["BUILDER_PASSWORD"] + `"}`
	resp, err := http.Post(values["BUILDER_URL"]+builder.PathLogin, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("login with the printed credentials: %d", resp.StatusCode)
	}
}

func TestRun_printsSettingsWritesEnvFileAndStopsWithZero(t *testing.T) {
	envFile := filepath.Join(t.TempDir(), "emulator.env")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdoutR, stdoutW := io.Pipe()
	exit := make(chan int, 1)
	go func() {
		exit <- run(ctx, []string{"-env-file", envFile, "-subscribers", "3", "-password", "with space"}, stdoutW, io.Discard)
		_ = stdoutW.Close()
	}()
	values, lines := readUntilReady(t, stdoutR)
	if values["BUILDER_PASSWORD"] != `'with space'` || values["BUILDER_USER"] != emulator.DefaultUser {
		t.Errorf("credentials %q %q", values["BUILDER_USER"], values["BUILDER_PASSWORD"])
	}
	values["BUILDER_PASSWORD"] = "with space"
	checkServes(t, values)

	data, err := os.ReadFile(envFile)
	if err != nil {
		t.Fatalf("env file: %v", err)
	}
	if string(data) != strings.Join(lines, "\n")+"\n" {
		t.Errorf("env file\n%s\nwant the printed lines\n%s", data, strings.Join(lines, "\n"))
	}
	cancel()
	go func() { _, _ = io.Copy(io.Discard, stdoutR) }()
	select {
	case code := <-exit:
		if code != 0 {
			t.Errorf("exit code %d after the stop signal, want 0", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not stop")
	}
}

func TestRun_refusesBadFlagsAndNonLoopback(t *testing.T) {
	tests := []struct {
		args []string
		code int
	}{
		{[]string{"-nope"}, 2},
		{[]string{"-fault-rate", "2"}, 2},
		{[]string{"-rate", "-1"}, 2},
		{[]string{"extra"}, 2},
		{[]string{"-addr", "0.0.0.0:0"}, 1},
		{[]string{"-evolux-shape", "xml"}, 1},
		{[]string{"-dialect", "nope"}, 2},
		{[]string{"-dialect", "delete-204,delete-document"}, 2},
	}
	for _, tt := range tests {
		var stderr strings.Builder
		if code := run(context.Background(), tt.args, io.Discard, &stderr); code != tt.code {
			t.Errorf("run(%q) = %d, want %d (stderr %q)", tt.args, code, tt.code, stderr.String())
		}
	}
}

func TestCommand_exitsZeroOnSIGTERM(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build the emulator")
	}
	bin := filepath.Join(t.TempDir(), "campaigns-emulator")
	build := exec.Command(goBin, "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "-latency", "1ms", "-scheduler-interval", "50ms", "-fault-rate", "0")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill() }()
	values, _ := readUntilReady(t, stdout)
	checkServes(t, values)

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, _ = io.Copy(io.Discard, stdout) // Wait only after the last read
		done <- cmd.Wait()
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("after SIGTERM: %v, want exit 0", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the emulator did not stop on SIGTERM")
	}
}

func TestRun_helpListsEveryDialectAndBadDialectsNameTheValidOnes(t *testing.T) {
	var help strings.Builder
	if code := run(context.Background(), []string{"-h"}, io.Discard, &help); code != 0 {
		t.Fatalf("-h: exit %d", code)
	}
	for _, d := range emulator.Dialects() {
		if !strings.Contains(help.String(), string(d)+": "+d.Description()) {
			t.Errorf("-h lacks %q with its description:\n%s", d, help.String())
		}
	}
	var stderr strings.Builder
	if code := run(context.Background(), []string{"-dialect", "reference,naive"}, io.Discard, &stderr); code != 2 ||
		!strings.Contains(stderr.String(), `-dialect: unknown dialect "naive"`) || !strings.Contains(stderr.String(), string(emulator.DialectTrailingSlash)) {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
}

func TestRun_dialectFlagServesTheDialectAndWritesItsBuilderURL(t *testing.T) {
	envFile := filepath.Join(t.TempDir(), "emulator.env")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdoutR, stdoutW := io.Pipe()
	var stderr strings.Builder
	exit := make(chan int, 1)
	go func() {
		exit <- run(ctx, []string{"-env-file", envFile, "-dialect", "gateway, naive-timestamps"}, stdoutW, &stderr)
		_ = stdoutW.Close()
	}()
	values, lines := readUntilReady(t, stdoutR)
	go func() { _, _ = io.Copy(io.Discard, stdoutR) }()
	if values["BUILDER_URL"] != values["EVOLUX_URL"]+emulator.VendorPathPrefix {
		t.Errorf("BUILDER_URL %q, EVOLUX_URL %q", values["BUILDER_URL"], values["EVOLUX_URL"])
	}
	if data, err := os.ReadFile(envFile); err != nil || string(data) != strings.Join(lines, "\n")+"\n" {
		t.Errorf("env file %q (%v), want the printed lines", data, err)
	}
	login := `{"user":"` + values["BUILDER_USER"] + `","password":"` + values["BUILDER_PASSWORD"] + `"}`
	if code := postStatus(t, values["EVOLUX_URL"]+builder.PathLogin, login); code != http.StatusNotFound {
		t.Errorf("login without the prefix: %d, want 404", code)
	}
	resp, err := http.Post(values["BUILDER_URL"]+builder.PathLogin, "application/json", strings.NewReader(login))
	if err != nil {
		t.Fatal(err)
	}
	var tokens builder.Tokens
	err = json.NewDecoder(resp.Body).Decode(&tokens)
	_ = resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("login at BUILDER_URL: %d %v", resp.StatusCode, err)
	}
	// The collection lives at a trailing slash: the client follows the 307.
	req, _ := http.NewRequest(http.MethodPost, values["BUILDER_URL"]+builder.CampaignsPath("acme", "bot"), strings.NewReader(`{"campaign_name":"c"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(builder.HeaderAuthorization, "Bearer "+tokens.Token)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var created map[string]any
	err = json.NewDecoder(resp.Body).Decode(&created)
	_ = resp.Body.Close()
	if date, _ := created["creation_date"].(string); err != nil || resp.StatusCode != http.StatusCreated || strings.ContainsAny(date, "Z+") || date == "" {
		t.Errorf("create through the redirect: %d %v %v", resp.StatusCode, created, err)
	}
	cancel()
	select {
	case code := <-exit:
		if code != 0 {
			t.Errorf("exit %d", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not stop")
	}
	for _, count := range []string{"builder.redirect=1", "builder.campaign.create=1", "builder.login=1", "unknown=1"} {
		if !strings.Contains(stderr.String(), count) {
			t.Errorf("stderr lacks %q: %s", count, stderr.String())
		}
	}
}

func postStatus(t *testing.T, url, body string) int {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

// Started with no flags, the emulator's Evolux report is not empty.
func TestRun_defaultEvoluxReportIsNotEmpty(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdoutR, stdoutW := io.Pipe()
	exit := make(chan int, 1)
	go func() {
		exit <- run(ctx, nil, stdoutW, io.Discard)
		_ = stdoutW.Close()
	}()
	values, _ := readUntilReady(t, stdoutR)
	go func() { _, _ = io.Copy(io.Discard, stdoutR) }()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, values["EVOLUX_URL"]+evolux.PathSubscribers, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set(evolux.HeaderAuthorization, "Bearer "+values["EVOLUX_TOKEN"])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("subscribers report: %v", err)
	}
	defer func() { _ = resp.Body.Close() }()
	var page struct {
		Data       []json.RawMessage `json:"data"`
		Pagination struct {
			Total int `json:"total"`
		} `json:"pagination"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("subscribers report: HTTP %d, %v", resp.StatusCode, err)
	}
	if len(page.Data) == 0 || page.Pagination.Total != defaultSubscribers {
		t.Errorf("default report: %d records on the first page, total %d; want some, total %d",
			len(page.Data), page.Pagination.Total, defaultSubscribers)
	}
	cancel()
	if code := <-exit; code != 0 {
		t.Errorf("exit code %d", code)
	}
}
