package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/campaignops/terraform-provider-campaigns/internal/client/evolux"
	"github.com/campaignops/terraform-provider-campaigns/internal/emulator"
)

const subscribersAddr = "data.campaigns_evolux_subscribers.test"

// Campaigns and templates of the emulator's generated subscribers.
var (
	blackFridayUUID   = emulator.SubscriberCampaigns()[0].UUID
	renegotiationUUID = emulator.SubscriberCampaigns()[1].UUID
	blackFridayTplID  = emulator.SubscriberCampaigns()[0].TemplateUUID
)

func TestAccEvoluxSubscribers_pagedEnvelope1000Records(t *testing.T) {
	testSubscribersReadsEveryRecord(t, emulator.ShapeEnvelope, 20)
}

func TestAccEvoluxSubscribers_bareArray1000Records(t *testing.T) {
	testSubscribersReadsEveryRecord(t, emulator.ShapeArray, 1)
}

// testSubscribersReadsEveryRecord reads 1,000 records with no filter and
// compares them, in order, with what a plain HTTP client gets from the
// emulator; the expected counts come from those records, not from the
// provider's code.
func testSubscribersReadsEveryRecord(t *testing.T, shape string, requestsPerRead int) {
	srv := startEmulator(t, emulator.Config{Subscribers: 1000, Seed: 1, EvoluxShape: shape, PageSize: 50})
	want := fetchSubscribersDirectly(t, srv.URL(), emulator.DefaultEvoluxToken, nil)
	if len(want) != 1000 {
		t.Fatalf("the emulator served %d records directly, want 1000", len(want))
	}
	if n := srv.Count(emulator.OpEvoluxSubscribers); n != requestsPerRead {
		t.Fatalf("a plain read of the %s shape took %d requests, want %d", shape, n, requestsPerRead)
	}
	srv.ResetCounts()
	queriesBefore := len(srv.EvoluxQueries())

	first, last := subscriberRecordField(t, want[0], "phone_number"), subscriberRecordField(t, want[999], "phone_number")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{{
			Config: providerConfig(srv) + `data "campaigns_evolux_subscribers" "test" {}`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(subscribersAddr, tfjsonpath.New("total"), knownvalue.Int64Exact(1000)),
				statecheck.ExpectKnownValue(subscribersAddr, tfjsonpath.New("subscribers").AtSliceIndex(0).AtMapKey("phone_number"), knownvalue.StringExact(first)),
				statecheck.ExpectKnownValue(subscribersAddr, tfjsonpath.New("subscribers").AtSliceIndex(999).AtMapKey("phone_number"), knownvalue.StringExact(last)),
				statecheck.ExpectKnownValue(subscribersAddr, tfjsonpath.New("subscribers"), subscribersAre(want)),
				statecheck.ExpectKnownValue(subscribersAddr, tfjsonpath.New("state_counts"), expectedStateCounts(t, want)),
				statecheck.ExpectKnownValue(subscribersAddr, tfjsonpath.New("timezone"), knownvalue.StringExact(evolux.DefaultTimezone)),
				statecheck.ExpectKnownValue(subscribersAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f]{64}$`))),
			},
		}},
	})

	n := srv.Count(emulator.OpEvoluxSubscribers)
	if n == 0 || n%requestsPerRead != 0 {
		t.Errorf("the emulator received %d report requests, want a positive multiple of %d (one read = %d requests)", n, requestsPerRead, requestsPerRead)
	}
	// No filter was configured, so none may be sent (the default time zone
	// included): only the envelope's paging parameters.
	for _, q := range srv.EvoluxQueries()[queriesBefore:] {
		values, err := url.ParseQuery(q)
		if err != nil {
			t.Fatalf("query %q: %s", q, err)
		}
		for key := range values {
			if key != evolux.QueryPage && key != evolux.QueryPerPage {
				t.Errorf("query %q carries %q although no filter is set", q, key)
			}
		}
	}
}

func TestAccEvoluxSubscribers_filtersReachAPIAsContractSays(t *testing.T) {
	srv := startEmulator(t, emulator.Config{Subscribers: 200, Seed: 1})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{{
			Config: providerConfig(srv) + fmt.Sprintf(`
data "campaigns_evolux_subscribers" "test" {
  phone_number             = "+5511987654321"
  name                     = "Maria do Carmo"
  state                    = "completed"
  template_uuid            = %[1]q
  campaigns                = [%[2]q, %[3]q]
  start                    = "2024-09-05T00:00:00.000Z"
  end                      = "2024-09-06T23:59:59.999Z"
  timezone                 = "America/Manaus"
  conversation_field_key   = "perfil"
  conversation_field_value = "Pessoa Jurídica"
}
`, blackFridayTplID, renegotiationUUID, blackFridayUUID),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(subscribersAddr, tfjsonpath.New("timezone"), knownvalue.StringExact("America/Manaus")),
			},
		}},
	})

	want := url.Values{
		evolux.QueryPhoneNumber:            {"+5511987654321"},
		evolux.QueryName:                   {"Maria do Carmo"},
		evolux.QueryState:                  {"completed"},
		evolux.QueryTemplateUUID:           {blackFridayTplID},
		evolux.QueryCampaigns:              slices.Sorted(slices.Values([]string{renegotiationUUID, blackFridayUUID})),
		evolux.QueryStart:                  {"2024-09-05T00:00:00.000Z"},
		evolux.QueryEnd:                    {"2024-09-06T23:59:59.999Z"},
		evolux.QueryTimezone:               {"America/Manaus"},
		evolux.QueryConversationFieldKey:   {"perfil"},
		evolux.QueryConversationFieldValue: {"Pessoa Jurídica"},
	}
	// The raw query must carry the accent as percent-encoded UTF-8 and the
	// phone number's "+" escaped (a bare "+" would decode as a space).
	rawMust := []*regexp.Regexp{
		regexp.MustCompile(`(^|&)conversation_field_value=Pessoa(\+|%20)Jur%C3%ADdica(&|$)`),
		regexp.MustCompile(`(^|&)phone_number=%2B5511987654321(&|$)`),
		regexp.MustCompile(`(^|&)name=Maria(\+|%20)do(\+|%20)Carmo(&|$)`),
	}
	queries := srv.EvoluxQueries()
	if len(queries) == 0 {
		t.Fatal("the emulator received no report request")
	}
	for _, q := range queries {
		got, err := url.ParseQuery(q)
		if err != nil {
			t.Fatalf("query %q: %s", q, err)
		}
		delete(got, evolux.QueryPage)
		delete(got, evolux.QueryPerPage)
		slices.Sort(got[evolux.QueryCampaigns])
		if !reflect.DeepEqual(got, want) {
			t.Errorf("query %q decodes to\n%v\nwant\n%v", q, got, want)
		}
		if n := strings.Count(q, "campaigns%5B%5D=") + strings.Count(q, "campaigns[]="); n != 2 {
			t.Errorf("query %q has %d campaigns[] parameters, want 2 (one per UUID)", q, n)
		}
		for _, re := range rawMust {
			if !re.MatchString(q) {
				t.Errorf("query %q does not match %s", q, re)
			}
		}
	}
}

// The records a filtered read returns are the ones the API selects for the
// same query.
func TestAccEvoluxSubscribers_filteredReadMatchesTheAPIsSelection(t *testing.T) {
	srv := startEmulator(t, emulator.Config{Subscribers: 1000, Seed: 7, PageSize: 20})
	query := url.Values{
		evolux.QueryState:                  {"error"},
		evolux.QueryCampaigns:              {blackFridayUUID, renegotiationUUID},
		evolux.QueryStart:                  {"2024-08-10T00:00:00-03:00"},
		evolux.QueryEnd:                    {"2024-09-20T23:59:59.999-03:00"},
		evolux.QueryConversationFieldKey:   {emulator.ConversationFieldCustomerType},
		evolux.QueryConversationFieldValue: {emulator.CustomerTypeCompany},
	}
	want := fetchSubscribersDirectly(t, srv.URL(), emulator.DefaultEvoluxToken, query)
	if len(want) < 5 {
		t.Fatalf("the filter selects only %d records directly; widen it so the test means something", len(want))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{{
			Config: providerConfig(srv) + fmt.Sprintf(`
data "campaigns_evolux_subscribers" "test" {
  state                    = "error"
  campaigns                = [%[1]q, %[2]q]
  start                    = "2024-08-10T00:00:00-03:00"
  end                      = "2024-09-20T23:59:59.999-03:00"
  conversation_field_key   = %[3]q
  conversation_field_value = %[4]q
}
`, blackFridayUUID, renegotiationUUID, emulator.ConversationFieldCustomerType, emulator.CustomerTypeCompany),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(subscribersAddr, tfjsonpath.New("total"), knownvalue.Int64Exact(int64(len(want)))),
				statecheck.ExpectKnownValue(subscribersAddr, tfjsonpath.New("subscribers"), subscribersAre(want)),
				statecheck.ExpectKnownValue(subscribersAddr, tfjsonpath.New("state_counts"), knownvalue.MapExact(map[string]knownvalue.Check{
					"pending": knownvalue.Int64Exact(0), "scheduled": knownvalue.Int64Exact(0), "sent": knownvalue.Int64Exact(0),
					"dnd": knownvalue.Int64Exact(0), "completed": knownvalue.Int64Exact(0), "error": knownvalue.Int64Exact(int64(len(want))),
				})),
			},
		}},
	})
}

func TestAccEvoluxSubscribers_tolerantRecordDecoding(t *testing.T) {
	records := []json.RawMessage{
		// campaign and template as nested objects, and a field not modelled
		json.RawMessage(fmt.Sprintf(`{"name":"Nested","phone_number":"+5511911110001","state":"sent",`+
			`"campaign":{"uuid":%q,"name":"Black Friday"},"template":{"uuid":%q},"created_at":"2024-09-05T10:00:00.000-03:00",`+
			`"conversation_fields":{"tipo_cliente":"Pessoa Jurídica"}}`, blackFridayUUID, blackFridayTplID)),
		// flat *_uuid fields
		json.RawMessage(fmt.Sprintf(`{"name":"Flat","phone_number":"+5511911110002","state":"completed",`+
			`"campaign_uuid":%q,"template_uuid":%q,"created_at":"2024-09-05T11:00:00Z"}`, renegotiationUUID, blackFridayTplID)),
		// the campaign as a bare string, no template
		json.RawMessage(fmt.Sprintf(`{"name":"String campaign","state":"error","campaign":%q}`, blackFridayUUID)),
		// nothing at all
		json.RawMessage(`{}`),
		// nulls, a number, an object without uuid, a state outside the six
		json.RawMessage(`{"name":null,"phone_number":5511911110005,"state":"paused","campaign":{"name":"no uuid"},"template":null}`),
	}
	str := knownvalue.StringExact
	null := knownvalue.Null()
	subscriber := func(name, phone, state, campaign, template, createdAt knownvalue.Check) knownvalue.Check {
		return knownvalue.ObjectPartial(map[string]knownvalue.Check{
			"name": name, "phone_number": phone, "state": state,
			"campaign_uuid": campaign, "template_uuid": template, "created_at": createdAt,
		})
	}
	wantSubscribers := knownvalue.ListExact([]knownvalue.Check{
		subscriber(str("Nested"), str("+5511911110001"), str("sent"), str(blackFridayUUID), str(blackFridayTplID), str("2024-09-05T10:00:00.000-03:00")),
		subscriber(str("Flat"), str("+5511911110002"), str("completed"), str(renegotiationUUID), str(blackFridayTplID), str("2024-09-05T11:00:00Z")),
		subscriber(str("String campaign"), null, str("error"), str(blackFridayUUID), null, null),
		subscriber(null, null, null, null, null, null),
		subscriber(null, str("5511911110005"), str("paused"), null, null, null),
	})

	for _, shape := range []string{emulator.ShapeEnvelope, emulator.ShapeArray} {
		t.Run(shape, func(t *testing.T) {
			srv := startEmulator(t, emulator.Config{EvoluxShape: shape, PageSize: 2})
			srv.SetSubscriberRecords(records)
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testProviders,
				Steps: []resource.TestStep{{
					Config: providerConfig(srv) + `
data "campaigns_evolux_subscribers" "test" {}

output "customer_type" {
  value = nonsensitive(jsondecode(data.campaigns_evolux_subscribers.test.subscribers[0].raw).conversation_fields.tipo_cliente)
}
`,
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(subscribersAddr, tfjsonpath.New("total"), knownvalue.Int64Exact(5)),
						statecheck.ExpectKnownValue(subscribersAddr, tfjsonpath.New("subscribers"), wantSubscribers),
						statecheck.ExpectKnownValue(subscribersAddr, tfjsonpath.New("subscribers").AtSliceIndex(3).AtMapKey("raw"), str("{}")),
						statecheck.ExpectKnownValue(subscribersAddr, tfjsonpath.New("state_counts"), knownvalue.MapExact(map[string]knownvalue.Check{
							"pending": knownvalue.Int64Exact(0), "scheduled": knownvalue.Int64Exact(0), "sent": knownvalue.Int64Exact(1),
							"dnd": knownvalue.Int64Exact(0), "completed": knownvalue.Int64Exact(1), "error": knownvalue.Int64Exact(1),
							"paused": knownvalue.Int64Exact(1),
						})),
						statecheck.ExpectKnownOutputValue("customer_type", str("Pessoa Jurídica")),
					},
				}},
			})
		})
	}
}

func TestAccEvoluxSubscribers_invalidFiltersFailAtPlanWithoutRequests(t *testing.T) {
	srv := startEmulator(t, emulator.Config{Subscribers: 10})
	cases := map[string]struct {
		arguments string
		want      *regexp.Regexp
	}{
		"unknown state":           {`state = "sending"`, wrappedPhrases("Attribute state value must be one of")},
		"state in another case":   {`state = "Error"`, wrappedPhrases("Attribute state value must be one of")},
		"malformed template_uuid": {`template_uuid = "70f4ddb6-ece1-4e13-ab90"`, wrappedPhrases("Attribute template_uuid must be a UUID")},
		"malformed campaign":      {fmt.Sprintf(`campaigns = [%q, "black-friday"]`, blackFridayUUID), wrappedPhrases(`Attribute campaigns[Value("black-friday")] must be a UUID`)},
		"empty campaigns":         {`campaigns = []`, wrappedPhrases("Empty campaigns filter", "without a campaigns[] parameter it reports every campaign")},
		"start not RFC 3339":      {`start = "2024-09-05"`, timestampMessage(`start = "2024-09-05"`, "it is a date without a time")},
		"end not RFC 3339":        {`end = "06/09/2024 23:59"`, timestampMessage(`end = "06/09/2024 23:59"`, "the date must be written year-month-day")},
		// As text start sorts first; as instants it is an hour after end.
		"start after end":            {`start = "2024-09-05T23:00:00-03:00"` + "\n" + `end = "2024-09-06T01:00:00Z"`, wrappedPhrases("start is after end")},
		"unknown time zone":          {`timezone = "America/Atlantis"`, wrappedPhrases("timezone must be an IANA time zone name")},
		"Go's Local time zone":       {`timezone = "Local"`, wrappedPhrases("timezone must be an IANA time zone name")},
		"field key without value":    {`conversation_field_key = "perfil"`, wrappedPhrases(`Attribute "conversation_field_value" must be specified when "conversation_field_key" is specified`)},
		"field value without key":    {`conversation_field_value = "Pessoa Jurídica"`, wrappedPhrases(`Attribute "conversation_field_key" must be specified when "conversation_field_value" is specified`)},
		"empty phone_number":         {`phone_number = ""`, wrappedPhrases("Attribute phone_number string length must be at least 1")},
		"empty name":                 {`name = ""`, wrappedPhrases("Attribute name string length must be at least 1")},
		"empty conversation field":   {`conversation_field_key = ""` + "\n" + `conversation_field_value = "x"`, wrappedPhrases("Attribute conversation_field_key string length must be at least 1")},
		"unknown attribute (typo'd)": {`phone = "1199881122"`, wrappedPhrases(`An argument named "phone" is not expected here`)},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testProviders,
				Steps: []resource.TestStep{{
					Config:      providerConfig(srv) + "data \"campaigns_evolux_subscribers\" \"test\" {\n" + tc.arguments + "\n}\n",
					ExpectError: tc.want,
				}},
			})
		})
	}
	t.Cleanup(func() { assertNoRequests(t, srv) })
}

func TestAccEvoluxSubscribers_wrongTokenShowsServerMessage(t *testing.T) {
	srv := startEmulator(t, emulator.Config{Subscribers: 10})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{{
			Config:      evoluxOnlyProviderConfig(srv.URL(), "not-the-evolux-token") + `data "campaigns_evolux_subscribers" "test" {}`,
			ExpectError: wrappedPhrases("Evolux rejected the token", "HTTP 401", "Server message: Invalid or missing token", "evolux.token"),
		}},
	})
	// An authentication failure is not retried.
	if n := srv.Count(emulator.OpEvoluxSubscribers); n != 1 {
		t.Errorf("the emulator received %d report requests, want 1", n)
	}
}

// The emulator never serves a paging loop, so this test has its own server
// whose next_url goes page 1 -> 2 -> 3 -> 2 -> ...
func TestAccEvoluxSubscribers_nextURLLoopIsAnError(t *testing.T) {
	const token = "loop-token"
	var requests atomic.Int64
	loop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path != evolux.PathSubscribers || r.Header.Get(evolux.HeaderAuthorization) != "Bearer "+token {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"meta":{"status":401,"message":"unexpected request"}}`)
			return
		}
		var next string
		switch page := r.URL.Query().Get("page"); page {
		case "", "1":
			next = `"?page=2"` // relative
		case "2":
			next = fmt.Sprintf("%q", "http://"+r.Host+evolux.PathSubscribers+"?page=3") // absolute
		default:
			next = `"?page=2"` // back to a page already read
		}
		fmt.Fprintf(w, `{"data":[{"name":"Looping %d"}],"pagination":{"next_url":%s}}`, requests.Load(), next)
	}))
	t.Cleanup(loop.Close)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{{
			Config:      evoluxOnlyProviderConfig(loop.URL, token) + `data "campaigns_evolux_subscribers" "test" {}`,
			ExpectError: wrappedPhrases("Cannot read the Evolux subscribers report", "already read"),
		}},
	})
	if n := requests.Load(); n == 0 || n > 10 {
		t.Errorf("the looping server received %d requests, want between 1 and 10", n)
	}
}

func TestAccEvoluxSubscribers_evoluxOnlyProviderConfiguration(t *testing.T) {
	srv := startEmulator(t, emulator.Config{Subscribers: 30, Seed: 3})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{{
			Config: evoluxOnlyProviderConfig(srv.URL(), emulator.DefaultEvoluxToken) + `data "campaigns_evolux_subscribers" "test" {}`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(subscribersAddr, tfjsonpath.New("total"), knownvalue.Int64Exact(30)),
			},
		}},
	})
	if n := srv.Count(emulator.OpLogin); n != 0 {
		t.Errorf("reading the Evolux report logged in to Builder %d times", n)
	}
}

func TestAccEvoluxSubscribers_settingsFromEnvironment(t *testing.T) {
	srv := startEmulator(t, emulator.Config{Subscribers: 12, Seed: 3})
	t.Setenv(envEvoluxURL, srv.URL())
	t.Setenv(envEvoluxToken, emulator.DefaultEvoluxToken)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{{
			Config: `provider "campaigns" {}` + "\n" + `data "campaigns_evolux_subscribers" "test" {}`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(subscribersAddr, tfjsonpath.New("total"), knownvalue.Int64Exact(12)),
			},
		}},
	})
}

func TestAccEvoluxSubscribers_missingTokenNamesAttributeAndVariable(t *testing.T) {
	srv := startEmulator(t, emulator.Config{Subscribers: 5})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{{
			Config:      fmt.Sprintf("provider \"campaigns\" {\n  evolux = { url = %q }\n}\n", srv.URL()) + `data "campaigns_evolux_subscribers" "test" {}`,
			ExpectError: wrappedPhrases("evolux.token", "EVOLUX_TOKEN"),
		}},
	})
	assertNoRequests(t, srv)
}

// A filter known only after apply defers the read to apply; nothing breaks
// at plan time.
func TestAccEvoluxSubscribers_unknownFilterIsReadDuringApply(t *testing.T) {
	srv := startEmulator(t, emulator.Config{Subscribers: 300, Seed: 5})
	want := fetchSubscribersDirectly(t, srv.URL(), emulator.DefaultEvoluxToken, url.Values{evolux.QueryCampaigns: {blackFridayUUID}})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{{
			Config: providerConfig(srv) + fmt.Sprintf(`
resource "terraform_data" "campaign" {
  input = %q
}

data "campaigns_evolux_subscribers" "test" {
  campaigns = [terraform_data.campaign.output]
  timezone  = terraform_data.campaign.output == "" ? "UTC" : "America/Sao_Paulo"
}
`, blackFridayUUID),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(subscribersAddr, plancheck.ResourceActionRead),
					plancheck.ExpectUnknownValue(subscribersAddr, tfjsonpath.New("subscribers")),
				},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(subscribersAddr, tfjsonpath.New("total"), knownvalue.Int64Exact(int64(len(want)))),
				statecheck.ExpectKnownValue(subscribersAddr, tfjsonpath.New("subscribers"), subscribersAre(want)),
			},
		}},
	})
}

// The documentation's examples run as written against the emulator, with
// only a provider configuration added.
func TestAccEvoluxSubscribers_examplesApply(t *testing.T) {
	dir := filepath.Join("..", "..", "examples", "data-sources", "campaigns_evolux_subscribers")
	files, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil || len(files) < 5 {
		t.Fatalf("want at least 5 example files in %s, got %v (%v)", dir, files, err)
	}
	var examples strings.Builder
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if regexp.MustCompile(`(?m)^\s*(provider\s|token\s*=|url\s*=)`).Match(b) {
			t.Errorf("%s configures a provider or carries credentials; examples must not", f)
		}
		examples.Write(b)
		examples.WriteString("\n")
	}

	srv := startEmulator(t, emulator.Config{Subscribers: 1000, Seed: 11})
	day := fetchSubscribersDirectly(t, srv.URL(), emulator.DefaultEvoluxToken, url.Values{
		evolux.QueryCampaigns: {blackFridayUUID},
		evolux.QueryStart:     {"2024-09-05T00:00:00-03:00"},
		evolux.QueryEnd:       {"2024-09-05T23:59:59.999-03:00"},
	})
	companyErrors := fetchSubscribersDirectly(t, srv.URL(), emulator.DefaultEvoluxToken, url.Values{
		evolux.QueryCampaigns:              {blackFridayUUID, renegotiationUUID},
		evolux.QueryState:                  {"error"},
		evolux.QueryConversationFieldKey:   {emulator.ConversationFieldCustomerType},
		evolux.QueryConversationFieldValue: {emulator.CustomerTypeCompany},
	})
	september := fetchSubscribersDirectly(t, srv.URL(), emulator.DefaultEvoluxToken, url.Values{
		evolux.QueryStart: {"2024-09-01T00:00:00-03:00"},
		evolux.QueryEnd:   {"2024-09-30T23:59:59.999-03:00"},
	})
	if len(day) == 0 || len(companyErrors) == 0 || len(september) == 0 {
		t.Fatalf("the examples' filters select %d and %d records; the emulator data no longer fit them", len(day), len(companyErrors))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{{
			Config: providerConfig(srv) + examples.String(),
			// Both CLIs always re-read a data source nested in a check block
			// during apply, so the plan after apply shows that read; it must
			// be the only change.
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPreRefresh:  []plancheck.PlanCheck{onlyDataSourceReads("data.campaigns_evolux_subscribers.black_friday_health")},
				PostApplyPostRefresh: []plancheck.PlanCheck{onlyDataSourceReads("data.campaigns_evolux_subscribers.black_friday_health")},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("black_friday_total", knownvalue.Int64Exact(int64(len(day)))),
				statecheck.ExpectKnownOutputValue("black_friday_state_counts", expectedStateCounts(t, day)),
				statecheck.ExpectKnownOutputValue("black_friday_completion_percent", knownvalue.NotNull()),
				statecheck.ExpectKnownOutputValue("company_error_phone_numbers", knownvalue.ListSizeExact(len(companyErrors))),
				statecheck.ExpectKnownOutputValue("customer_campaigns", knownvalue.NotNull()),
				statecheck.ExpectKnownOutputValue("september_total", knownvalue.Int64Exact(int64(len(september)))),
				statecheck.ExpectKnownOutputValue("september_errors_by_campaign", expectedCampaignErrors(t, september)),
			},
		}},
	})
}

// evoluxOnlyProviderConfig configures nothing but Evolux: no builder block.
func evoluxOnlyProviderConfig(url, token string) string {
	return fmt.Sprintf(`
provider "campaigns" {
  evolux = {
    url   = %[1]q
    token = %[2]q
  }
  request_timeout = "5s"
}
`, url, token)
}

// wrappedPhrases matches the given phrases in order, whatever whitespace the CLI
// puts between words when it wraps a diagnostic.
func wrappedPhrases(phrases ...string) *regexp.Regexp {
	parts := make([]string, len(phrases))
	for i, p := range phrases {
		fields := strings.Fields(p)
		for j, f := range fields {
			fields[j] = regexp.QuoteMeta(f)
		}
		parts[i] = strings.Join(fields, `\s+`)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(parts, ".*"))
}

// fetchSubscribersDirectly reads the report with plain net/http, following
// next_url as the contract describes, independently of the provider's
// client: it is the reference the data source is compared with.
func fetchSubscribersDirectly(t *testing.T, baseURL, token string, query url.Values) []json.RawMessage {
	t.Helper()
	next, err := url.Parse(baseURL + evolux.PathSubscribers + "?" + query.Encode())
	if err != nil {
		t.Fatal(err)
	}
	var records []json.RawMessage
	for pages := 0; next != nil; pages++ {
		if pages > 1000 {
			t.Fatal("more than 1000 pages")
		}
		req, _ := http.NewRequest(http.MethodGet, next.String(), nil)
		req.Header.Set(evolux.HeaderAuthorization, "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %s %v", next, resp.StatusCode, body, err)
		}
		if strings.HasPrefix(strings.TrimSpace(string(body)), "[") {
			var page []json.RawMessage
			if err := json.Unmarshal(body, &page); err != nil {
				t.Fatal(err)
			}
			return append(records, page...)
		}
		var envelope struct {
			Data       []json.RawMessage `json:"data"`
			Pagination struct {
				NextURL *string `json:"next_url"`
			} `json:"pagination"`
		}
		if err := json.Unmarshal(body, &envelope); err != nil {
			t.Fatal(err)
		}
		records = append(records, envelope.Data...)
		if envelope.Pagination.NextURL == nil || *envelope.Pagination.NextURL == "" {
			break
		}
		ref, err := url.Parse(*envelope.Pagination.NextURL)
		if err != nil {
			t.Fatal(err)
		}
		next = next.ResolveReference(ref)
	}
	return records
}

func subscriberRecordField(t *testing.T, raw json.RawMessage, field string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	s, _ := m[field].(string)
	return s
}

// expectedStateCounts is the state_counts the given records must produce: the six
// states, zero included.
func expectedStateCounts(t *testing.T, records []json.RawMessage) knownvalue.Check {
	t.Helper()
	counts := map[string]int64{}
	for _, s := range evolux.States {
		counts[s] = 0
	}
	for _, r := range records {
		if s := subscriberRecordField(t, r, "state"); s != "" {
			counts[s]++
		}
	}
	checks := map[string]knownvalue.Check{}
	for s, n := range counts {
		checks[s] = knownvalue.Int64Exact(n)
	}
	return knownvalue.MapExact(checks)
}

// subscribersAre checks the whole subscribers list against the records the
// API served, in order: raw equal as JSON, and the modelled fields equal to
// the record's own fields.
func subscribersAre(want []json.RawMessage) knownvalue.Check { return subscribersCheck{want} }

type subscribersCheck struct{ want []json.RawMessage }

func (c subscribersCheck) String() string {
	return fmt.Sprintf("the %d records the API served, in order", len(c.want))
}

func (c subscribersCheck) CheckValue(value any) error {
	got, ok := value.([]any)
	if !ok {
		return fmt.Errorf("subscribers is a %T, want a list", value)
	}
	if len(got) != len(c.want) {
		return fmt.Errorf("subscribers has %d elements, want %d", len(got), len(c.want))
	}
	for i, g := range got {
		obj, ok := g.(map[string]any)
		if !ok {
			return fmt.Errorf("subscribers[%d] is a %T, want an object", i, g)
		}
		raw, _ := obj["raw"].(string)
		var gotRecord, wantRecord map[string]any
		if err := json.Unmarshal([]byte(raw), &gotRecord); err != nil {
			return fmt.Errorf("subscribers[%d].raw is not JSON: %w", i, err)
		}
		if err := json.Unmarshal(c.want[i], &wantRecord); err != nil {
			return err
		}
		if !reflect.DeepEqual(gotRecord, wantRecord) {
			return fmt.Errorf("subscribers[%d].raw is\n%s\nwant\n%s", i, raw, c.want[i])
		}
		campaign, _ := wantRecord["campaign"].(map[string]any)
		template, _ := wantRecord["template"].(map[string]any)
		for attr, want := range map[string]any{
			"name": wantRecord["name"], "phone_number": wantRecord["phone_number"], "state": wantRecord["state"],
			"created_at": wantRecord["created_at"], "campaign_uuid": campaign["uuid"], "template_uuid": template["uuid"],
		} {
			if obj[attr] != want {
				return fmt.Errorf("subscribers[%d].%s is %v, want %v (record %s)", i, attr, obj[attr], want, c.want[i])
			}
		}
	}
	return nil
}

// onlyDataSourceReads fails unless the plan's only changes are reads of the given data
// sources: no resource change and no output change.
func onlyDataSourceReads(addresses ...string) plancheck.PlanCheck {
	return onlyDataSourceReadsCheck{addresses}
}

type onlyDataSourceReadsCheck struct{ addresses []string }

func (c onlyDataSourceReadsCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	var errs []error
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Change.Actions.NoOp() || rc.Change.Actions.Read() && slices.Contains(c.addresses, rc.Address) {
			continue
		}
		errs = append(errs, fmt.Errorf("%s: unexpected %v", rc.Address, rc.Change.Actions))
	}
	for name, oc := range req.Plan.OutputChanges {
		if !oc.Actions.NoOp() {
			errs = append(errs, fmt.Errorf("output %s: unexpected %v", name, oc.Actions))
		}
	}
	resp.Error = errors.Join(errs...)
}
