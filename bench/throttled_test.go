package bench

import (
	"slices"
	"testing"
)

func TestParseRates(t *testing.T) {
	for text, want := range map[string][]float64{
		"2 5 10 20 50": {2, 5, 10, 20, 50},
		"0.5,1, 2":     {0.5, 1, 2},
		" 7 ":          {7},
	} {
		got, err := ParseRates(text)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("ParseRates(%q) = %v, %v; want %v", text, got, err, want)
		}
	}
	for _, text := range []string{"", " , ", "0", "-1", "fast"} {
		if got, err := ParseRates(text); err == nil {
			t.Errorf("ParseRates(%q) = %v; want an error", text, got)
		}
	}
}
