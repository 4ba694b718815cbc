package evolux

import (
	"fmt"
	"slices"
	"strings"
)

// The report's phone_number is "as Evolux stores it" (documented example: 1199881122, no country code):
// ASSUMED that it may also carry a country code, a "+", a trunk "0" or formatting. A phone is matched by its
// digits, with or without a country code of up to maxCountryCode digits.
const (
	minPhoneDigits = 8
	maxPhoneDigits = 15 // E.164
	maxCountryCode = 3
)

var phoneFormatting = strings.NewReplacer(" ", "", "+", "", "(", "", ")", "", "-", "")

// PhoneDigits is a phone number as digits, once spaces, "+", "(", ")" and "-" are removed; ok is false for
// anything else, or for fewer than 8 or more than 15 digits.
func PhoneDigits(text string) (digits string, ok bool) {
	if digits = phoneFormatting.Replace(text); strings.Trim(digits, "0123456789") != "" {
		return "", false
	}
	return digits, len(digits) >= minPhoneDigits && len(digits) <= maxPhoneDigits
}

// minNationalDigits: digits that begin with the country code and have at least this many after it carry it
// already, as full numbers of Brazil (55 11 99988 1122), the United States (1 212 555 0100) or India do; a
// national number of Brazil's area 55 (55 99988 1122) is shorter, and gets the country code.
const minNationalDigits = 10

// ValidCountryCode reports whether code is a country calling code: 1 to 3 digits, the first not 0.
func ValidCountryCode(code string) bool {
	return len(code) >= 1 && len(code) <= maxCountryCode && code[0] != '0' && strings.Trim(code, "0123456789") == ""
}

// WithCountryCode is a phone's digits with its country code: a phone written with a leading "+" carries
// its own; otherwise leading zeros (a trunk "0", an international "00") are dropped and countryCode
// (ValidCountryCode) is put before the digits, unless they begin with it and have at least
// minNationalDigits after it. ok is false when text or the result is not a phone for PhoneDigits.
func WithCountryCode(text, countryCode string) (digits string, ok bool) {
	digits, ok = PhoneDigits(text)
	if !ok {
		return "", false
	}
	if strings.HasPrefix(strings.TrimLeft(text, " "), "+") {
		if digits[0] == '0' { // no country code begins with 0
			return "", false
		}
		return digits, true
	}
	digits = strings.TrimLeft(digits, "0")
	if !strings.HasPrefix(digits, countryCode) || len(digits)-len(countryCode) < minNationalDigits {
		digits = countryCode + digits
	}
	return PhoneDigits(digits)
}

// Phones finds the configured phone a reported one is, whatever the report's spelling.
type Phones struct {
	byKey map[string][]string // a phone's digits, and those without a country code, to its configured spellings
}

// NewPhones indexes configured phones (each passing PhoneDigits).
func NewPhones(phones []string) *Phones {
	p := &Phones{byKey: map[string][]string{}}
	for _, phone := range phones {
		digits, _ := PhoneDigits(phone)
		for _, key := range withoutCountryCode(digits) {
			p.byKey[key] = append(p.byKey[key], phone)
		}
	}
	return p
}

// withoutCountryCode is digits without a trunk "0", then without each possible country code.
func withoutCountryCode(digits string) []string {
	digits = strings.TrimLeft(digits, "0")
	keys := []string{digits}
	for n := 1; n <= maxCountryCode && len(digits)-n >= minPhoneDigits; n++ {
		keys = append(keys, digits[n:])
	}
	return keys
}

// Match is the configured phone a report's phone_number is, or "" for none. Two candidates are an error:
// the report cannot be matched safely, and guessing could upload a phone a second time.
func (p *Phones) Match(reported string) (string, error) {
	switch found := p.candidates(reported); len(found) {
	case 0:
		return "", nil
	case 1:
		return found[0], nil
	default:
		return "", fmt.Errorf("the report's phone_number %q may be any of %s: it cannot be matched safely",
			reported, strings.Join(found, ", "))
	}
}

// candidates are the configured phones reported may be, sorted.
func (p *Phones) candidates(reported string) (found []string) {
	digits := strings.TrimLeft(strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, reported), "0")
	for i, key := range withoutCountryCode(digits) {
		for _, phone := range p.byKey[key] {
			// A reported country code is dropped only to find a phone configured without one.
			if digits, _ := PhoneDigits(phone); i == 0 || strings.TrimLeft(digits, "0") == key {
				found = append(found, phone)
			}
		}
	}
	slices.Sort(found)
	return slices.Compact(found)
}

// SamePhones are the groups of configured phones that may be one phone (the same digits, or one of them
// with a country code and the other without): the report cannot tell them apart.
func SamePhones(phones []string) (groups [][]string) {
	p := NewPhones(phones)
	grouped := map[string]bool{}
	for _, phone := range slices.Sorted(slices.Values(phones)) {
		if group := p.candidates(phone); len(group) > 1 && !grouped[phone] {
			for _, g := range group {
				grouped[g] = true
			}
			groups = append(groups, group)
		}
	}
	return groups
}
