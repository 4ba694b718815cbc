// Command campaigns-emulator serves the Builder and Evolux emulator on a loopback port. It prints KEY=VALUE lines
// (BUILDER_URL, EVOLUX_URL, the credentials; also to -env-file) and "ready"; SIGINT or SIGTERM stop it (exit 0).
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/campaignops/terraform-provider-campaigns/internal/emulator"
)

const shutdownTimeout = 5 * time.Second

const defaultSubscribers = 500 // ten envelope pages out of the box; the library's default stays empty

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run serves until ctx ends: exit code 0 after a clean stop, 1 when the emulator cannot start, 2 for bad flags.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("campaigns-emulator", flag.ContinueOnError)
	flags.SetOutput(stderr)
	fail := func(code int, format string, args ...any) int {
		fmt.Fprintf(stderr, "campaigns-emulator: "+format+"\n", args...)
		return code
	}
	var (
		cfg       emulator.Config
		addr      = flags.String("addr", "127.0.0.1:0", "loopback `address` to listen on (port 0 picks a free one)")
		envFile   = flags.String("env-file", "", "also write the KEY=VALUE lines to this `file`, atomically, once listening")
		faultRate = flags.Float64("fault-rate", 0, "probability that any request fails with a random fault of any kind (seeded by -seed)")
		dialects  = flags.String("dialect", "", "comma-separated `dialects` of the Builder contract to speak (default reference):"+dialectHelp())
	)
	flags.Float64Var(&cfg.BuilderRate.PerSecond, "rate", 0, "requests a second each API takes (a token bucket, one second of burst); beyond it a 429 with Retry-After (0: no limit)")
	flags.BoolVar(&cfg.BuilderRate.Bare, "rate-bare", false, "with -rate, answer the 429 without Retry-After")
	flags.DurationVar(&cfg.Latency, "latency", 0, "delay added to every request")
	flags.DurationVar(&cfg.TokenLifetime, "token-lifetime", 0, "access token lifetime (0 means 1h)")
	flags.IntVar(&cfg.Subscribers, "subscribers", defaultSubscribers, "number of generated Evolux subscribers (0: an empty report)")
	flags.Int64Var(&cfg.Seed, "seed", 0, "seed of the generated data and the random faults")
	flags.StringVar(&cfg.EvoluxShape, "evolux-shape", emulator.ShapeEnvelope, "Evolux answer shape: envelope or array")
	flags.IntVar(&cfg.PageSize, "page-size", 0, "Evolux envelope page size (0 means 50, at most 50)")
	flags.IntVar(&cfg.ListMax, "list-max", 0, "the largest limit a campaign list accepts (0 means 1000; limit is 100 when a request gives none)")
	flags.StringVar(&cfg.EvoluxPaging, "evolux-paging", emulator.PagingPage, "how the Evolux envelope pages: "+strings.Join(emulator.PagingDialects(), ", "))
	flags.StringVar(&cfg.EvoluxUpload, "evolux-upload", emulator.UploadSummary, "how an Evolux upload of subscribers is answered: "+strings.Join(emulator.UploadDialects, ", "))
	flags.StringVar(&cfg.EvoluxPhones, "evolux-phones", emulator.PhonesAsSent, "how the Evolux report spells an uploaded phone: "+strings.Join(emulator.PhoneSpellings, ", "))
	flags.DurationVar(&cfg.InsertDelay, "insert-delay", 0, "how long uploaded Evolux subscribers take to show in the report")
	flags.DurationVar(&cfg.SchedulerInterval, "scheduler-interval", 0, "advance due campaigns this often (0: never)")
	flags.DurationVar(&cfg.SlowDelay, "slow-delay", 0, "how late a slow fault answers (0 means 3s)")
	flags.StringVar(&cfg.User, "user", emulator.DefaultUser, "Builder user")
	flags.StringVar(&cfg.Password, "password", emulator.DefaultPassword, "Builder password")
	flags.StringVar(&cfg.APIKey, "api-key", emulator.DefaultAPIKey, "Builder trigger API key")
	flags.StringVar(&cfg.EvoluxToken, "evolux-token", emulator.DefaultEvoluxToken, "Evolux bearer token")
	err := flags.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	} else if err != nil {
		return 2
	}
	if flags.NArg() > 0 {
		return fail(2, "unexpected arguments %q", flags.Args())
	}
	// What the emulator uses for an empty value, so that the printed lines say it.
	cfg.User, cfg.Password = cmp.Or(cfg.User, emulator.DefaultUser), cmp.Or(cfg.Password, emulator.DefaultPassword)
	cfg.APIKey, cfg.EvoluxToken = cmp.Or(cfg.APIKey, emulator.DefaultAPIKey), cmp.Or(cfg.EvoluxToken, emulator.DefaultEvoluxToken)
	if cfg.Dialects, err = emulator.ParseDialects(*dialects); err != nil {
		return fail(2, "-dialect: %v", err)
	}
	if *faultRate < 0 || *faultRate > 1 {
		return fail(2, "-fault-rate %v: must be between 0 and 1", *faultRate)
	}
	if cfg.BuilderRate.PerSecond < 0 {
		return fail(2, "-rate %v: must not be negative", cfg.BuilderRate.PerSecond)
	}
	cfg.EvoluxRate = cfg.BuilderRate

	server, err := emulator.StartOn(cfg, *addr)
	if err != nil {
		return fail(1, "%v", err)
	}
	if *faultRate > 0 {
		server.SetRandomFaults(emulator.RandomFaults{Rate: *faultRate, Seed: cfg.Seed})
	}
	lines := envLines(server.BuilderURL(), server.URL(), cfg)
	if *envFile != "" {
		if err := writeFileAtomically(*envFile, []byte(strings.Join(lines, "\n")+"\n")); err != nil {
			_ = server.Close()
			return fail(1, "%v", err)
		}
	}
	fmt.Fprintln(stdout, strings.Join(append(lines, "ready"), "\n"))

	<-ctx.Done()
	fmt.Fprintln(stderr, "campaigns-emulator: stopping")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := server.Shutdown(shutdownCtx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fail(1, "shutdown: %v", err)
	}
	fmt.Fprintln(stderr, "campaigns-emulator: requests served:", formatCounts(server.Counts()))
	return 0
}

// dialectHelp lists every dialect with its description, one per line, for -h.
func dialectHelp() string {
	var b strings.Builder
	for _, d := range emulator.Dialects() {
		fmt.Fprintf(&b, "\n  %s: %s", d, d.Description())
	}
	return b.String()
}

// formatCounts lists the request counters in a stable order.
func formatCounts(counts map[emulator.Op]int) string {
	var ops []string
	for op, n := range counts {
		if n > 0 {
			ops = append(ops, fmt.Sprintf("%s=%d", op, n))
		}
	}
	slices.Sort(ops)
	return cmp.Or(strings.Join(ops, " "), "none")
}

// envLines are KEY=VALUE lines that a shell can source and a Makefile include (quoted only when they must be).
func envLines(builderURL, evoluxURL string, cfg emulator.Config) []string {
	pairs := [][2]string{{"BUILDER_URL", builderURL}, {"EVOLUX_URL", evoluxURL}, {"BUILDER_USER", cfg.User},
		{"BUILDER_PASSWORD", cfg.Password}, {"BUILDER_API_KEY", cfg.APIKey}, {"EVOLUX_TOKEN", cfg.EvoluxToken}}
	lines := make([]string, len(pairs))
	for i, p := range pairs {
		lines[i] = p[0] + "=" + shellQuote(p[1])
	}
	return lines
}

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9@%+=:,./_-]+$`)

func shellQuote(s string) string {
	if shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// writeFileAtomically renames a complete temporary file into place: a script polling for it never reads half.
func writeFileAtomically(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	_, err = tmp.Write(data)
	if err = cmp.Or(err, tmp.Close()); err != nil { // the file closed either way
		return err
	}
	return os.Rename(tmp.Name(), path)
}
