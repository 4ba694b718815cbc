package bench

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/campaignops/terraform-provider-campaigns/internal/emulator"
)

// Figure is one line of the results table.
type Figure struct {
	Scenario string
	Name     string
	Target   string // "" for a figure shown for context
	Measured string
	Met      string // "yes", "no", or "" without a target
	Detail   string // runs, requests by operation, peak RSS
}

func met(ok bool) string {
	if ok {
		return "yes"
	}
	return "no"
}

// median of durations (the mean of the middle two for an even count).
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// percentile p (0..100) of durations, nearest rank.
func percentile(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := (p*len(s) + 99) / 100
	return s[max(rank-1, 0)]
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }
func milliseconds(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000)
}

func list(ds []time.Duration, format func(time.Duration) string) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = strings.TrimSuffix(strings.TrimSuffix(format(d), " s"), " ms")
	}
	unit := "s"
	if len(ds) > 0 && strings.HasSuffix(format(ds[0]), "ms") {
		unit = "ms"
	}
	return strings.Join(parts, ", ") + " " + unit
}

// formatCounts is "op=n" for every operation counted, in a stable order.
func formatCounts(counts map[emulator.Op]int) string {
	var parts []string
	for op, n := range counts {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%s=%d", op, n))
		}
	}
	sort.Strings(parts)
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " ")
}

// exactCounts reports whether counts are exactly want: the same operations,
// the same numbers, nothing else.
func exactCounts(counts, want map[emulator.Op]int) bool {
	for op, n := range counts {
		if n != want[op] {
			return false
		}
	}
	for op, n := range want {
		if counts[op] != n {
			return false
		}
	}
	return true
}

// WriteText prints the figures as an aligned table with details below.
func WriteText(w io.Writer, figures []Figure) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "figure\ttarget\tmeasured\tmet")
	for _, f := range figures {
		fmt.Fprintf(tw, "%s: %s\t%s\t%s\t%s\n", f.Scenario, f.Name, dash(f.Target), f.Measured, dash(f.Met))
	}
	_ = tw.Flush()
	fmt.Fprintln(w)
	for _, f := range figures {
		if f.Detail != "" {
			fmt.Fprintf(w, "  %s: %s: %s\n", f.Scenario, f.Name, f.Detail)
		}
	}
}

// WriteMarkdown writes the figures as the results table of BENCHMARKS.md.
func WriteMarkdown(w io.Writer, figures []Figure) {
	fmt.Fprintln(w, "| scenario | figure | target | measured | met? | detail |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|")
	for _, f := range figures {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", f.Scenario, f.Name, dash(f.Target), f.Measured, dash(f.Met),
			strings.ReplaceAll(f.Detail, "|", "\\|"))
	}
}

func dash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}
