package client

import (
	"cmp"
	"maps"
	"net/url"
	"slices"
	"strings"
	"sync"
)

// Redaction by key name (RedactJSON, RedactURL, RedactHeader) misses a
// secret that a server echoes in text of its own: a proxy's HTML error page
// quoting the request URL with its apikey, a detail string quoting the
// token. Secrets knows the values themselves, and Scrub removes them from
// any text, in the spellings they take inside URLs and JSON too.

// minSecretLength: shorter values are not secrets worth the name, and
// replacing them would shred ordinary text.
const minSecretLength = 6

// Secrets is a set of secret values (passwords, API keys, tokens) to scrub
// from every error text and log entry. It is safe for concurrent use; a nil
// *Secrets scrubs nothing; make one with NewSecrets.
type Secrets struct {
	mu       sync.RWMutex
	values   map[string]bool // as added
	replacer *strings.Replacer
	longest  int // bytes of the longest spelling the replacer knows
}

// NewSecrets returns a set holding values.
func NewSecrets(values ...string) *Secrets {
	s := &Secrets{values: map[string]bool{}}
	s.Add(values...)
	return s
}

// Add adds values; ones shorter than 6 bytes are ignored.
func (s *Secrets) Add(values ...string) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	changed := false
	for _, value := range values {
		if len(value) < minSecretLength || s.values[value] {
			continue
		}
		s.values[value] = true
		changed = true
	}
	if changed {
		s.replacer, s.longest = newSecretReplacer(s.values)
	}
}

// longestSpelling is the length of the longest text Scrub replaces.
func (s *Secrets) longestSpelling() int {
	if s == nil {
		return 0
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.longest
}

// newSecretReplacer replaces every value in each spelling it can take in a
// text: as is, escaped in a URL query or path, escaped in a JSON string.
// Longer spellings come first so that a secret containing another is
// replaced whole.
func newSecretReplacer(values map[string]bool) (*strings.Replacer, int) {
	spellings := map[string]bool{}
	for value := range values {
		for _, spelling := range []string{value, url.QueryEscape(value), url.PathEscape(value), jsonEscape(value, false), jsonEscape(value, true)} {
			spellings[spelling] = true
		}
	}
	ordered := slices.SortedFunc(maps.Keys(spellings), func(a, b string) int {
		return cmp.Or(len(b)-len(a), strings.Compare(a, b))
	})
	pairs := make([]string, 0, 2*len(ordered))
	for _, spelling := range ordered {
		pairs = append(pairs, spelling, Redacted)
	}
	return strings.NewReplacer(pairs...), len(ordered[0])
}

// jsonEscape is value as it appears between the quotes of a JSON string.
func jsonEscape(value string, escapeHTML bool) string {
	quoted, _ := marshal(value, escapeHTML) // a string: it cannot fail
	return string(quoted[1 : len(quoted)-1])
}

// Values returns the secrets as added, for loggers that mask values
// themselves.
func (s *Secrets) Values() []string {
	if s == nil {
		return nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Sorted(maps.Keys(s.values))
}

// Scrub returns text with every known secret replaced by Redacted.
func (s *Secrets) Scrub(text string) string {
	if s == nil {
		return text
	}
	s.mu.RLock()
	replacer := s.replacer
	s.mu.RUnlock()
	if replacer == nil {
		return text
	}
	return replacer.Replace(text)
}

// ScrubError wraps err so that its text carries no known secret; errors.Is
// and errors.As see through the wrapper. A nil err stays nil.
func (s *Secrets) ScrubError(err error) error {
	if err == nil || s == nil {
		return err
	}
	return &scrubbedError{err: err, secrets: s}
}

type scrubbedError struct {
	err     error
	secrets *Secrets
}

func (e *scrubbedError) Error() string { return e.secrets.Scrub(e.err.Error()) }
func (e *scrubbedError) Unwrap() error { return e.err }

// scrubFields scrubs a log entry's text values in place.
func (s *Secrets) scrubFields(fields map[string]any) {
	for key, value := range fields {
		switch value := value.(type) {
		case string:
			fields[key] = s.Scrub(value)
		case map[string]string:
			for name, text := range value {
				value[name] = s.Scrub(text)
			}
		}
	}
}
