package provider

import (
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"

	"github.com/campaignops/terraform-provider-campaigns/internal/client/builder"
)

func TestCampaignCreatedAt_secondsOfTheObjectID(t *testing.T) {
	for id, want := range map[string]string{
		"66d9167c0000000000000000": "2024-09-05T02:25:00Z",
		"65f1a2b3c4d5e6f708192a3b": "2024-03-13T12:57:23Z",
		"000000000000000000000000": "1970-01-01T00:00:00Z",
		"ffffffffffffffffffffffff": "2106-02-07T06:28:15Z", // the first 4 bytes are unsigned
	} {
		got, err := runFunction(t, NewCampaignCreatedAtFunction(), id)
		if err != nil {
			t.Fatalf("campaign_created_at(%q): %s", id, err.Text)
		}
		if !got.Equal(types.StringValue(want)) {
			t.Errorf("campaign_created_at(%q) = %s, want %q", id, got, want)
		}
	}
}

func TestCampaignCreatedAt_badIDNamesItsParameter(t *testing.T) {
	for _, id := range []string{
		"65F1A2B3C4D5E6F708192A3B", "65f1a2b3c4d5e6f708192a3", "65f1a2b3c4d5e6f708192a3bc", "65f1a2b3c4d5e6f708192a3g", "",
	} {
		f := NewCampaignCreatedAtFunction()
		_, err := runFunction(t, f, id)
		if problem := argumentProblem(t, f, err, "id", `"`+id+`" is not a campaign id`, "24 lowercase hexadecimal"); problem != "" {
			t.Error(problem)
		}
	}
}

func TestAccFunctionCampaignCreatedAt_idTime(t *testing.T) {
	functionOutputTest(t, `provider::campaigns::campaign_created_at("66d9167c0000000000000000")`,
		knownvalue.StringExact("2024-09-05T02:25:00Z"))
}

func TestAccFunctionCampaignCreatedAt_badIDFails(t *testing.T) {
	functionErrorTest(t, `provider::campaigns::campaign_created_at("66D9167C0000000000000000")`,
		"id", `"66D9167C0000000000000000" is not a campaign id`)
}

// A campaign id this provider makes now reads as now.
func TestCampaignCreatedAt_newIDIsNow(t *testing.T) {
	before := time.Now().Truncate(time.Second)
	got, err := runFunction(t, NewCampaignCreatedAtFunction(), builder.NewObjectID())
	if err != nil {
		t.Fatal(err.Text)
	}
	text, _ := got.(types.String)
	created, parseErr := time.Parse(time.RFC3339, text.ValueString())
	if parseErr != nil || created.Before(before) || created.After(time.Now()) {
		t.Errorf("a new id reads %s, want a time since %s", got, before.UTC().Format(time.RFC3339))
	}
}
