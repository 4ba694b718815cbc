package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
)

func TestPhoneNumber_digitsWithCountryCode(t *testing.T) {
	for _, tc := range []struct{ text, country, want string }{
		{"(11) 99988-1122", "55", "5511999881122"},
		{"+55 11 99988 1122", "55", "5511999881122"},
		{"011 99988-1122", "55", "5511999881122"},
		{"5511999881122", "55", "5511999881122"},
		{"55 (11) 3222-1122", "55", "551132221122"},
		{"0055 11 99988 1122", "55", "5511999881122"},
		// Brazil's area code 55: a national number that begins with the country code, too short to carry it.
		{"(55) 99988-1122", "55", "5555999881122"},
		{"55 3222-1122", "55", "555532221122"},
		{"+1 (212) 555-0100", "55", "12125550100"},
		{"1 212 555 0100", "1", "12125550100"},
		{"212-555-0100", "1", "12125550100"},
		{"+44 7911 123456", "55", "447911123456"},
		{"07911 123456", "44", "447911123456"},
	} {
		t.Run(tc.text, func(t *testing.T) {
			got, err := runFunction(t, NewPhoneNumberFunction(), tc.text, tc.country)
			if err != nil {
				t.Fatalf("error: %s", err.Text)
			}
			if !got.Equal(types.StringValue(tc.want)) {
				t.Errorf("phone_number(%q, %q) = %s, want %q", tc.text, tc.country, got, tc.want)
			}
		})
	}
}

func TestPhoneNumber_badArgumentsNameTheirParameter(t *testing.T) {
	for _, tc := range []struct{ text, country, parameter, says string }{
		{"call me", "55", "text", `"call me" is not a phone number`},
		{"1234567", "55", "text", "8 to 15 digits"},       // 7 digits
		{"+55 11 99988 1122 3344", "55", "text", "15"},    // 17 digits
		{"123456789012345", "55", "text", "8 to 15"},      // 15 digits, 17 with the country code
		{"+0 11 99988 1122", "55", "text", "not a phone"}, // no country code begins with 0
		{"11.99988.1122", "55", "text", `"11.99988.1122"`},
		{"", "55", "text", `""`},
		{"(11) 99988-1122", "", "default_country", `"" is not a country calling code`},
		{"(11) 99988-1122", "+55", "default_country", `"+55"`},
		{"(11) 99988-1122", "5555", "default_country", "1 to 3 digits"},
		{"(11) 99988-1122", "055", "default_country", `"055"`},
		{"(11) 99988-1122", "BR", "default_country", `"BR"`},
	} {
		t.Run(tc.text+" "+tc.country, func(t *testing.T) {
			f := NewPhoneNumberFunction()
			_, err := runFunction(t, f, tc.text, tc.country)
			if problem := argumentProblem(t, f, err, tc.parameter, tc.says); problem != "" {
				t.Error(problem)
			}
		})
	}
}

func TestAccFunctionPhoneNumber_spreadsheetSpellings(t *testing.T) {
	functionOutputTest(t, `[for text in ["(11) 99988-1122", "+55 11 99988 1122", "011 99988-1122"] :
    provider::campaigns::phone_number(text, "55")]`,
		knownvalue.ListExact([]knownvalue.Check{
			knownvalue.StringExact("5511999881122"), knownvalue.StringExact("5511999881122"), knownvalue.StringExact("5511999881122"),
		}))
}

func TestAccFunctionPhoneNumber_lettersFail(t *testing.T) {
	functionErrorTest(t, `provider::campaigns::phone_number("call me", "55")`, "text", `"call me" is not a phone number`)
}
