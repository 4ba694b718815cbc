package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework-jsontypes/jsontypes"
	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/campaignops/terraform-provider-campaigns/internal/client"
	"github.com/campaignops/terraform-provider-campaigns/internal/client/builder"
	"github.com/campaignops/terraform-provider-campaigns/internal/emulator"
)

// The tests in this file put a rewriting front in front of the emulator: the
// emulator still does the work and counts it, but chosen answers reach the
// provider the way another implementation of the same contract might write
// them. They prove the invariant "once the server acknowledged a write, its
// id reaches state" and the write-answer rule "state keeps what the user
// configured".

// answerRewrite turns the emulator's answer into the one the provider sees.
type answerRewrite func(status int, answer []byte) (int, []byte)

// rewriteRule picks the rewrite for a request, or nil to pass it through
// untouched (faults that drop the connection need the real writer).
type rewriteRule func(r *http.Request, requestBody []byte) answerRewrite

type answerRewriter struct {
	next http.Handler
	rule rewriteRule
}

func (a answerRewriter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	rewrite := a.rule(r, body)
	if rewrite == nil {
		a.next.ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	a.next.ServeHTTP(rec, r)
	status, answer := rewrite(rec.Code, rec.Body.Bytes())
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Del("Content-Length")
	w.WriteHeader(status)
	_, _ = w.Write(answer)
}

// startRewritingEmulator starts an emulator behind a front that applies rule,
// and returns the emulator and the front's URL for the provider.
func startRewritingEmulator(t *testing.T, cfg emulator.Config, rule rewriteRule) (*emulator.Server, string) {
	t.Helper()
	srv := startEmulator(t, cfg)
	front := httptest.NewServer(answerRewriter{next: srv.Emulator, rule: rule})
	t.Cleanup(front.Close)
	return srv, front.URL
}

// jsonDocRewrite edits a 2xx JSON object answer; anything else passes.
func jsonDocRewrite(edit func(doc map[string]any) []byte) answerRewrite {
	return func(status int, answer []byte) (int, []byte) {
		var doc map[string]any
		if status/100 != 2 || json.Unmarshal(answer, &doc) != nil {
			return status, answer
		}
		return status, edit(doc)
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// withField answers the document with field set to value.
func withField(field string, value any) func(map[string]any) []byte {
	return func(doc map[string]any) []byte {
		doc[field] = value
		return mustJSON(doc)
	}
}

func withoutField(field string) func(map[string]any) []byte {
	return func(doc map[string]any) []byte {
		delete(doc, field)
		return mustJSON(doc)
	}
}

// rawAnswer answers text instead of the document (the status stays 2xx).
func rawAnswer(text string) func(map[string]any) []byte {
	return func(map[string]any) []byte { return []byte(text) }
}

// malformedCreateAnswers maps a campaign name to how the create answer of
// that campaign is spoiled: every field of the seed's campaign with a value
// of the wrong type, null, absent, and unreadable timestamps, then whole
// answers that carry no usable document.
func malformedCreateAnswers() map[string]func(map[string]any) []byte {
	cases := map[string]func(map[string]any) []byte{}
	fields := []string{
		"_id", "organization", "scheduled_date", "campaign_name", "status", "bot_name", "creation_date",
		"description", "name", "file", "content", "sheet_values", "log_file",
	}
	for _, field := range fields {
		cases[field+"-number"] = withField(field, 42)
		cases[field+"-object"] = withField(field, map[string]any{"unexpected": true})
		cases[field+"-array"] = withField(field, []any{1, "two"})
		cases[field+"-bool"] = withField(field, true)
		cases[field+"-null"] = withField(field, nil)
		cases[field+"-absent"] = withoutField(field)
	}
	for _, field := range []string{"scheduled_date", "creation_date"} {
		cases[field+"-unparsable"] = withField(field, "next tuesday")
		cases[field+"-naive"] = withField(field, "2026-11-23T15:46:15.852309")
		cases[field+"-space"] = withField(field, "2026-11-23 15:46:15")
		cases[field+"-empty"] = withField(field, "")
	}
	cases["_id-not-an-object-id"] = withField("_id", "campaign-1")
	cases["_id-extended-json"] = func(doc map[string]any) []byte {
		doc["_id"] = map[string]any{"$oid": doc["_id"]}
		return mustJSON(doc)
	}
	cases["status-unknown-value"] = withField("status", "paused")
	cases["sheet_values-string"] = withField("sheet_values", "name,phone")
	cases["sheet_values-mixed"] = withField("sheet_values", []any{"name", 1, nil})
	cases["body-empty-object"] = rawAnswer(`{}`)
	cases["body-id-only"] = func(doc map[string]any) []byte { return mustJSON(map[string]any{"_id": doc["_id"]}) }
	cases["body-null"] = rawAnswer(`null`)
	cases["body-empty"] = rawAnswer(``)
	cases["body-array"] = rawAnswer(`[]`)
	cases["body-string"] = rawAnswer(`"created"`)
	cases["body-garbage"] = rawAnswer(`{"_id": "5eb7cf5a86d9`)
	cases["body-html"] = rawAnswer(`<html><body>Created</body></html>`)
	return cases
}

// campaignNameOf reads campaign_name from a campaign request body.
func campaignNameOf(requestBody []byte) string {
	var c struct {
		CampaignName string `json:"campaign_name"`
	}
	_ = json.Unmarshal(requestBody, &c)
	return c.CampaignName
}

func isCampaignCreate(r *http.Request) bool {
	return r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/campaign/")
}

// campaignsNamedConfig is one campaign per name, in one bot. (count, not
// for_each: the testing framework's state checks do not support for_each.)
func campaignsNamedConfig(url string, names []string) string {
	return providerBlock(url, "5s", 3) + fmt.Sprintf(`
locals {
  names = %s
}

resource "campaigns_builder_campaign" "answer" {
  count          = length(local.names)
  organization   = "acme"
  bot_name       = "support-bot"
  campaign_name  = local.names[count.index]
  name           = "Name"
  description    = "Description"
  content        = "Content"
  file           = "audience.csv"
  scheduled_date = "2030-01-01T09:00:00-03:00"
  sheet_values   = ["name", "phone"]
}
`, hclStrings(names))
}

func hclStrings(names []string) string {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = fmt.Sprintf("%q", n)
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// stateMatchesEmulator: every campaign in state is held by the emulator
// under the same id and name, and the emulator holds nothing else.
func stateMatchesEmulator(srv *emulator.Server, want int) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		held := map[string]string{} // campaign_name => id
		for _, c := range srv.Campaigns() {
			if _, dup := held[*c.CampaignName]; dup {
				return fmt.Errorf("the emulator holds campaign %q twice", *c.CampaignName)
			}
			held[*c.CampaignName] = c.ID
		}
		if len(held) != want {
			return fmt.Errorf("the emulator holds %d campaigns, want %d", len(held), want)
		}
		inState := 0
		for addr, rs := range s.RootModule().Resources {
			if rs.Type != "campaigns_builder_campaign" {
				continue
			}
			inState++
			name := rs.Primary.Attributes["campaign_name"]
			if held[name] != rs.Primary.ID {
				return fmt.Errorf("%s: state holds id %q, the emulator holds campaign %q as %q", addr, rs.Primary.ID, name, held[name])
			}
		}
		if inState != want {
			return fmt.Errorf("state holds %d campaigns, want %d", inState, want)
		}
		return nil
	}
}

// The invariant, for campaigns: whatever a 2xx create answer holds, the
// campaign's id reaches state, the apply succeeds, the next plan is empty
// (no second create) and destroy leaves nothing behind.
func TestAccBuilderCampaign_malformedCreateAnswerKeepsID(t *testing.T) {
	cases := malformedCreateAnswers()
	srv, url := startRewritingEmulator(t, emulator.Config{}, func(r *http.Request, body []byte) answerRewrite {
		if !isCampaignCreate(r) {
			return nil
		}
		if edit, ok := cases[campaignNameOf(body)]; ok {
			return jsonDocRewrite(edit)
		}
		return nil
	})
	config := campaignsNamedConfig(url, sortedKeys(cases))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		CheckDestroy:             campaignsDestroyed(srv),
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: resource.ComposeTestCheckFunc(
					stateMatchesEmulator(srv, len(cases)),
					expectCounts(srv, map[emulator.Op]int{emulator.OpCampaignCreate: len(cases)}),
				),
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(
					stateMatchesEmulator(srv, len(cases)),
					expectCounts(srv, map[emulator.Op]int{emulator.OpCampaignCreate: len(cases)}),
				),
			},
		},
	})
}

// respelledAnswer is a server that stores what it was sent but answers its
// writes in its own words: values trimmed and re-cased, the list reordered,
// the schedule as a naive UTC timestamp, optional fields left out.
func respelledAnswer(doc map[string]any) []byte {
	if s, ok := doc["content"].(string); ok {
		doc["content"] = strings.ToUpper(strings.TrimSpace(s))
	}
	if s, ok := doc["campaign_name"].(string); ok {
		doc["campaign_name"] = strings.TrimSpace(s)
	}
	if list, ok := doc["sheet_values"].([]any); ok {
		for i, j := 0, len(list)-1; i < j; i, j = i+1, j-1 {
			list[i], list[j] = list[j], list[i]
		}
	}
	doc["scheduled_date"] = "2030-01-01T12:00:00"
	delete(doc, "description")
	delete(doc, "name")
	delete(doc, "file")
	return mustJSON(doc)
}

func respelledCampaignConfig(url, content string) string {
	return providerBlock(url, "5s", 3) + fmt.Sprintf(`
resource "campaigns_builder_campaign" "welcome" {
  organization   = "acme"
  bot_name       = "support-bot"
  campaign_name  = "welcome-2026"
  name           = "Welcome"
  description    = "First message to new customers"
  file           = "audience.csv"
  content        = %q
  scheduled_date = "2030-01-01T09:00:00-03:00"
  sheet_values   = ["name", "phone", "plan"]
}
`, content)
}

// The write-answer rule: state keeps the planned values of what the user
// configured, whatever the create and update answers say, so the apply never
// ends in "Provider produced inconsistent result after apply". A read still
// shows real drift.
func TestAccBuilderCampaign_writeAnswerNeverOverridesConfiguration(t *testing.T) {
	srv, url := startRewritingEmulator(t, emulator.Config{}, func(r *http.Request, _ []byte) answerRewrite {
		if isCampaignCreate(r) || r.Method == http.MethodPut {
			return jsonDocRewrite(respelledAnswer)
		}
		return nil
	})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		CheckDestroy:             campaignsDestroyed(srv),
		Steps: []resource.TestStep{
			{
				Config: respelledCampaignConfig(url, " Olá! "),
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(campaignAddr, "content", " Olá! "),
					resource.TestCheckResourceAttr(campaignAddr, "description", "First message to new customers"),
					resource.TestCheckResourceAttr(campaignAddr, "scheduled_date", "2030-01-01T09:00:00-03:00"),
					resource.TestCheckResourceAttr(campaignAddr, "sheet_values.0", "name"),
					resource.TestCheckResourceAttr(campaignAddr, "status", builder.StatusNotStarted),
					resource.TestMatchResourceAttr(campaignAddr, "creation_date", regexp.MustCompile(`Z$`)),
					expectCampaignsHeld(srv, 1),
				),
			},
			{
				Config: respelledCampaignConfig(url, " Olá de novo! "),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(campaignAddr, plancheck.ResourceActionUpdate)},
				},
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(campaignAddr, "content", " Olá de novo! "),
					resource.TestCheckResourceAttr(campaignAddr, "name", "Welcome"),
					expectCounts(srv, map[emulator.Op]int{emulator.OpCampaignCreate: 1, emulator.OpCampaignUpdate: 1}),
				),
			},
			{
				// Someone edits the campaign in Builder: the read shows it.
				PreConfig: func() {
					id := onlyCampaignID(t, srv)
					c, _ := srv.Campaign(id)
					c.Content = new(string)
					*c.Content = "edited in the Builder UI"
					updateOutOfBand(t, srv, c)
				},
				Config: respelledCampaignConfig(url, " Olá de novo! "),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(campaignAddr, plancheck.ResourceActionUpdate)},
				},
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(campaignAddr, "content", " Olá de novo! "),
					expectCounts(srv, map[emulator.Op]int{emulator.OpCampaignUpdate: 3}),
				),
			},
		},
	})
}

// updateOutOfBand changes a campaign the way another tool would.
func updateOutOfBand(t *testing.T, srv *emulator.Server, c builder.Campaign) {
	t.Helper()
	hc, err := client.New(client.Config{BaseURL: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	bc := builder.New(hc, builder.Credentials{User: emulator.DefaultUser, Password: emulator.DefaultPassword})
	if _, err := bc.UpdateCampaign(context.Background(), *c.Organization, *c.BotName, c.ID, c); err != nil {
		t.Fatalf("updating campaign %s out of band: %s", c.ID, err)
	}
}

// A create that certainly never reached the server, or that the server
// refused, saves nothing: the next plan proposes a create, not the
// destruction (or replacement) of a campaign that never existed.
func TestAccBuilderCampaign_certainlyNotCreatedSavesNothing(t *testing.T) {
	cases := map[string]struct {
		start func(t *testing.T) (*emulator.Server, string)
		want  string
	}{
		"login refused": {
			start: func(t *testing.T) (*emulator.Server, string) {
				srv := startEmulator(t, emulator.Config{Password: "another-password"})
				return srv, srv.URL()
			},
			want: `HTTP 401`,
		},
		"connection refused": {
			start: func(t *testing.T) (*emulator.Server, string) {
				srv := startEmulator(t, emulator.Config{})
				return srv, closedPortURL(t)
			},
			want: `refused`,
		},
		// A 429 is repeated until the create's deadline: one asking to wait
		// longer stops at once, and nothing ran.
		"rate limited longer than the create may wait": {
			start: func(t *testing.T) (*emulator.Server, string) {
				srv := startEmulator(t, emulator.Config{})
				front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if isCampaignCreate(r) {
						w.Header().Set("Retry-After", "3600")
						w.WriteHeader(http.StatusTooManyRequests)
						return
					}
					srv.ServeHTTP(w, r)
				}))
				t.Cleanup(front.Close)
				return srv, front.URL
			},
			want: `HTTP 429[\s\S]*asks\s+to\s+wait\s+3600s\s+before\s+the\s+next`,
		},
		"refused with 422": {
			start: func(t *testing.T) (*emulator.Server, string) {
				srv := startEmulator(t, emulator.Config{})
				front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if isCampaignCreate(r) {
						w.Header().Set("Content-Type", "application/json")
						w.WriteHeader(http.StatusUnprocessableEntity)
						_, _ = w.Write([]byte(`{"detail":[{"loc":["body","content"],"msg":"too long","type":"value_error"}]}`))
						return
					}
					srv.ServeHTTP(w, r)
				}))
				t.Cleanup(front.Close)
				return srv, front.URL
			},
			want: `HTTP 422`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			srv, url := tc.start(t)
			config := providerBlock(url, "5s", 1) + `
resource "campaigns_builder_campaign" "welcome" {
  organization  = "acme"
  bot_name      = "support-bot"
  campaign_name = "welcome-2026"
}
`
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testProviders,
				Steps: []resource.TestStep{
					{
						Config:      config,
						ExpectError: regexp.MustCompile(`(?s)Campaign not created.*` + tc.want),
					},
					{
						Config:             config,
						PlanOnly:           true,
						ExpectNonEmptyPlan: true,
						// Even without a refresh (which might remove a saved
						// campaign the server does not know): a create, nothing else.
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PostApplyPreRefresh:  []plancheck.PlanCheck{plancheck.ExpectResourceAction(campaignAddr, plancheck.ResourceActionCreate)},
							PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectResourceAction(campaignAddr, plancheck.ResourceActionCreate)},
						},
					},
				},
			})
			if n := len(srv.Campaigns()); n != 0 {
				t.Errorf("the emulator holds %d campaigns, want none", n)
			}
		})
	}
}

// unreadableFireAnswers maps a case name to the 2xx answer a fire gets
// instead of the trigger id.
var unreadableFireAnswers = map[string]string{
	"null":         `null`,
	"empty-object": `{}`,
	"empty-body":   ``,
	"garbage":      `not json`,
	"truncated":    `{"id": 4`,
	"array":        `[]`,
	"bool":         `true`,
	"empty-string": `""`,
	"id-null":      `{"id": null}`,
	"id-object":    `{"id": {"value": 3}}`,
	"html":         `<html><body>OK</body></html>`,
	"two-values":   `1 2`,
	"other-keys":   `{"status": "queued"}`,
	"empty-id":     `{"_id": ""}`,
}

func triggersNamedConfig(url string, names []string) string {
	return providerBlock(url, "5s", 3) + fmt.Sprintf(`
locals {
  answers = %s
}

resource "campaigns_builder_trigger" "answer" {
  count   = length(local.answers)
  payload = jsonencode({ answer = local.answers[count.index] })
}
`, hclStrings(names))
}

// The invariant, for triggers: a fire Builder accepted (2xx) whose answer
// holds no readable id is saved, never an error (which would taint it and
// fire it again), and never fired again: fire_outcome "fired", a no-id
// placeholder, a next plan with nothing to do and no request at all.
func TestAccBuilderTrigger_unreadableFireAnswerNeverRefires(t *testing.T) {
	srv, url := startRewritingEmulator(t, emulator.Config{}, func(r *http.Request, body []byte) answerRewrite {
		if r.Method != http.MethodPost || r.URL.Path != builder.PathTrigger {
			return nil
		}
		var req struct {
			JSON struct {
				Answer string `json:"answer"`
			} `json:"json"`
		}
		_ = json.Unmarshal(body, &req)
		answer, ok := unreadableFireAnswers[req.JSON.Answer]
		if !ok {
			return nil
		}
		return func(status int, got []byte) (int, []byte) {
			if status/100 != 2 {
				return status, got
			}
			return status, []byte(answer)
		}
	})
	n := len(unreadableFireAnswers)
	config := triggersNamedConfig(url, sortedKeys(unreadableFireAnswers))
	placeholder := regexp.MustCompile(`^` + noIDPrefix + `[0-9a-f]{12}$`)
	savedAsFired := func(s *terraform.State) error {
		saved := 0
		for addr, rs := range s.RootModule().Resources {
			if rs.Type != "campaigns_builder_trigger" {
				continue
			}
			saved++
			if got := rs.Primary.Attributes["fire_outcome"]; got != fireOutcomeFired {
				return fmt.Errorf("%s: fire_outcome %q, want %q", addr, got, fireOutcomeFired)
			}
			if !placeholder.MatchString(rs.Primary.ID) {
				return fmt.Errorf("%s: id %q, want a %q placeholder", addr, rs.Primary.ID, noIDPrefix)
			}
		}
		if saved != n {
			return fmt.Errorf("state holds %d triggers, want %d", saved, n)
		}
		return nil
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: resource.ComposeTestCheckFunc(
					savedAsFired,
					expectCounts(srv, map[emulator.Op]int{emulator.OpTriggerFire: n}),
					func(*terraform.State) error { return triggersHeld(srv, n)() },
				),
			},
			{
				PreConfig: srv.ResetCounts,
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(
					savedAsFired,
					func(*terraform.State) error {
						if got := srv.TotalRequests(); got != 0 {
							return fmt.Errorf("the emulator received %d requests (%v), want none: there is no id to read", got, srv.Counts())
						}
						return nil
					},
				),
			},
		},
		CheckDestroy: func(*terraform.State) error {
			if err := triggersHeld(srv, n)(); err != nil {
				return err
			}
			return expectCounts(srv, map[emulator.Op]int{emulator.OpTriggerFire: 0})(nil)
		},
	})
}

func TestBuilderTriggerCreate_acceptedWithoutIDWarnsAndSaves(t *testing.T) {
	ctx := context.Background()
	srv, url := startRewritingEmulator(t, emulator.Config{}, func(r *http.Request, _ []byte) answerRewrite {
		if r.Method != http.MethodPost {
			return nil
		}
		return func(status int, _ []byte) (int, []byte) { return status, []byte(`null`) }
	})
	sch := triggerSchema(t).Schema
	null := tftypes.NewValue(sch.Type().TerraformType(ctx), nil)
	plan := tfsdk.Plan{Schema: sch, Raw: null}
	mustNoError(t, plan.Set(ctx, builderTriggerModel{
		Timeouts:    nullTimeouts(triggerTimeouts),
		ID:          types.StringUnknown(),
		Payload:     jsontypes.NewNormalizedValue(`{"campaign": "black-friday"}`),
		Keepers:     types.MapNull(types.StringType),
		FiredAt:     timetypes.NewRFC3339Unknown(),
		FireOutcome: types.StringUnknown(),
		Result:      jsontypes.NewNormalizedUnknown(),
	}))
	resp := &fwresource.CreateResponse{State: tfsdk.State{Schema: sch, Raw: null}}
	triggerResourceAt(url).Create(ctx, fwresource.CreateRequest{Plan: plan}, resp)

	if resp.Diagnostics.HasError() {
		t.Fatalf("an accepted fire must not be an error (Terraform would taint and fire again): %v", resp.Diagnostics)
	}
	var state builderTriggerModel
	mustNoError(t, resp.State.Get(ctx, &state))
	if state.FireOutcome.ValueString() != fireOutcomeFired || !strings.HasPrefix(state.ID.ValueString(), noIDPrefix) {
		t.Errorf("state has fire_outcome %s and id %s, want %q and a %q placeholder", state.FireOutcome, state.ID, fireOutcomeFired, noIDPrefix)
	}
	warnings := resp.Diagnostics.Warnings()
	if len(warnings) != 1 {
		t.Fatalf("got %d warnings, want 1: %v", len(warnings), resp.Diagnostics)
	}
	detail := warnings[0].Detail()
	for _, want := range []string{
		"accepted", "will not be fired again", // what happened
		`{"campaign":"black-friday"}`, state.ID.ValueString(), // which trigger
		"Builder UI", "terraform import ADDRESS ID", // what to check, how to record the real id
	} {
		if !strings.Contains(detail, want) {
			t.Errorf("the warning does not say %q:\n%s", want, detail)
		}
	}
	if n := srv.Count(emulator.OpTriggerFire); n != 1 {
		t.Errorf("fires counted %d, want 1", n)
	}
	// A refresh has no id to read: no request, the warning again.
	srv.ResetCounts()
	readResp := &fwresource.ReadResponse{State: resp.State}
	triggerResourceAt(url).Read(ctx, fwresource.ReadRequest{State: resp.State}, readResp)
	if readResp.Diagnostics.HasError() || len(readResp.Diagnostics.Warnings()) != 1 || readResp.State.Raw.IsNull() {
		t.Errorf("refresh diagnostics %v, want one warning and the trigger kept", readResp.Diagnostics)
	}
	if n := srv.TotalRequests(); n != 0 {
		t.Errorf("refresh sent %d requests, want none", n)
	}
}

func ptrTo(s string) *string { return &s }

// A read reports real drift; a server's other spelling of the same instant
// is none, and what it cannot read it says, naming the campaign.
func TestBuilderCampaignModel_fromAPIReadsTolerantly(t *testing.T) {
	prior := builderCampaignModel{
		ID:            types.StringValue("5eb7cf5a86d9755df3a6c593"),
		Organization:  types.StringValue("acme"),
		BotName:       types.StringValue("support-bot"),
		CampaignName:  types.StringValue("welcome-2026"),
		ScheduledDate: types.StringValue("2030-01-01T09:00:00-03:00"),
		SheetValues:   types.ListNull(types.StringType),
	}
	cases := map[string]struct {
		scheduled, creation *string
		problems            []string
		wantScheduled       string
		wantCreation        string
		wantWarnings        []string
	}{
		"naive echo of the same instant": {
			scheduled: ptrTo("2030-01-01T12:00:00"), creation: ptrTo("2026-11-23T15:46:15.852309"),
			wantScheduled: "2030-01-01T09:00:00-03:00", wantCreation: "2026-11-23T15:46:15.852309Z",
		},
		"another instant is drift": {
			scheduled: ptrTo("2030-01-02 12:00:00"), creation: ptrTo("2026-11-23T15:46:15Z"),
			wantScheduled: "2030-01-02T12:00:00Z", wantCreation: "2026-11-23T15:46:15Z",
		},
		"unreadable timestamps": {
			scheduled: ptrTo("next tuesday"), creation: ptrTo("yesterday"),
			problems:      []string{`creation_date: "yesterday" is not a timestamp this provider can read; kept as the server's text`},
			wantScheduled: "2030-01-01T09:00:00-03:00", wantCreation: "yesterday",
			wantWarnings: []string{
				`scheduled_date = "next tuesday" for campaign "welcome-2026" (id 5eb7cf5a86d9755df3a6c593`,
				`Builder's answer about campaign "welcome-2026" (id 5eb7cf5a86d9755df3a6c593, bot acme/support-bot)`,
				`creation_date: "yesterday"`,
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			m := prior
			diags := m.fromAPI(builder.Campaign{
				ID: prior.ID.ValueString(), CampaignName: ptrTo("welcome-2026"),
				ScheduledDate: tc.scheduled, CreationDate: tc.creation, Problems: tc.problems,
			})
			if diags.HasError() {
				t.Fatalf("errors: %v", diags)
			}
			if got := m.ScheduledDate.ValueString(); got != tc.wantScheduled {
				t.Errorf("scheduled_date %q, want %q", got, tc.wantScheduled)
			}
			if got := m.CreationDate.ValueString(); got != tc.wantCreation {
				t.Errorf("creation_date %q, want %q", got, tc.wantCreation)
			}
			var text strings.Builder
			for _, w := range diags.Warnings() {
				text.WriteString(w.Summary() + ": " + w.Detail() + "\n")
			}
			if len(tc.wantWarnings) == 0 && text.Len() > 0 {
				t.Errorf("unexpected warnings:\n%s", text.String())
			}
			for _, want := range tc.wantWarnings {
				if !strings.Contains(text.String(), want) {
					t.Errorf("the warnings do not say %q:\n%s", want, text.String())
				}
			}
		})
	}
}

// A write answer sets only what the plan left unknown.
func TestBuilderCampaignModel_fromWriteAnswerKeepsPlannedValues(t *testing.T) {
	plan := builderCampaignModel{
		ID:            types.StringValue("5eb7cf5a86d9755df3a6c593"),
		CampaignName:  types.StringValue(" welcome "),
		Content:       types.StringValue("Olá"),
		ScheduledDate: types.StringValue("2030-01-01T09:00:00-03:00"),
		Status:        types.StringUnknown(),
		CreationDate:  types.StringUnknown(),
		LogFile:       types.StringUnknown(),
	}
	m := plan
	diags := m.fromWriteAnswer(builder.Campaign{
		ID: "5eb7cf5a86d9755df3a6c593", CampaignName: ptrTo("welcome"), Content: ptrTo("OLÁ"),
		ScheduledDate: ptrTo("2030-01-01T12:00:00Z"), Status: ptrTo(builder.StatusNotStarted),
		CreationDate: ptrTo("2026-11-23 15:46:15"),
	})
	if diags.HasError() {
		t.Fatal(diags)
	}
	if !m.CampaignName.Equal(plan.CampaignName) || !m.Content.Equal(plan.Content) || !m.ScheduledDate.Equal(plan.ScheduledDate) {
		t.Errorf("user values changed by the answer: %+v", m)
	}
	if m.Status.ValueString() != builder.StatusNotStarted || m.CreationDate.ValueString() != "2026-11-23T15:46:15Z" || !m.LogFile.IsNull() {
		t.Errorf("server-managed values: status %s, creation_date %s, log_file %s", m.Status, m.CreationDate, m.LogFile)
	}
	// In an update the plan already knows them: they stay as planned.
	known := plan
	known.Status, known.CreationDate, known.LogFile = types.StringValue(builder.StatusNotStarted), types.StringValue("2026-11-20T10:00:00Z"), types.StringNull()
	m = known
	m.fromWriteAnswer(builder.Campaign{ID: "5eb7cf5a86d9755df3a6c593", Status: ptrTo(builder.StatusInProgress), CreationDate: ptrTo("2026-11-23T15:46:15Z")})
	if !m.Status.Equal(known.Status) || !m.CreationDate.Equal(known.CreationDate) {
		t.Errorf("planned server-managed values changed: status %s, creation_date %s", m.Status, m.CreationDate)
	}
}

// malformedUpdateAnswers maps a campaign name to how the answer to its
// update is spoiled.
func malformedUpdateAnswers() map[string]func(map[string]any) []byte {
	return map[string]func(map[string]any) []byte{
		"put-empty-object":  rawAnswer(`{}`),
		"put-null":          rawAnswer(`null`),
		"put-empty":         rawAnswer(``),
		"put-garbage":       rawAnswer(`{"_id": "5eb7cf5a86d9`),
		"put-array":         rawAnswer(`[]`),
		"put-html":          rawAnswer(`<html><body>Saved</body></html>`),
		"put-id-only":       func(doc map[string]any) []byte { return mustJSON(map[string]any{"_id": doc["_id"]}) },
		"put-other-id":      withField("_id", "5eb7cf5a86d9755df3a6c593"),
		"put-status-object": withField("status", map[string]any{"state": "queued"}),
		"put-dates-garbage": func(doc map[string]any) []byte {
			doc["creation_date"], doc["scheduled_date"] = "yesterday", 17
			return mustJSON(doc)
		},
		"put-content-respelled": withField("content", "SOMETHING ELSE"),
	}
}

func campaignsNamedContentConfig(url string, names []string, content string) string {
	return strings.Replace(campaignsNamedConfig(url, names), `content        = "Content"`, fmt.Sprintf(`content        = %q`, content), 1)
}

// The write-answer rule for updates: whatever a 2xx update answer holds, the
// update is applied, state holds what was configured, and the next plan is
// empty.
func TestAccBuilderCampaign_malformedUpdateAnswerKeepsPlan(t *testing.T) {
	cases := malformedUpdateAnswers()
	srv, url := startRewritingEmulator(t, emulator.Config{}, func(r *http.Request, body []byte) answerRewrite {
		if r.Method != http.MethodPut {
			return nil
		}
		if edit, ok := cases[campaignNameOf(body)]; ok {
			return jsonDocRewrite(edit)
		}
		return nil
	})
	names := sortedKeys(cases)
	contentHeld := func(want string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			for _, c := range srv.Campaigns() {
				if c.Content == nil || *c.Content != want {
					return fmt.Errorf("the emulator holds campaign %q with content %v, want %q", *c.CampaignName, c.Content, want)
				}
			}
			return nil
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		CheckDestroy:             campaignsDestroyed(srv),
		Steps: []resource.TestStep{
			{Config: campaignsNamedContentConfig(url, names, "first")},
			{
				Config: campaignsNamedContentConfig(url, names, "second"),
				Check: resource.ComposeTestCheckFunc(
					stateMatchesEmulator(srv, len(cases)),
					contentHeld("second"),
					resource.TestCheckResourceAttr("campaigns_builder_campaign.answer.0", "content", "second"),
					expectCounts(srv, map[emulator.Op]int{emulator.OpCampaignCreate: len(cases), emulator.OpCampaignUpdate: len(cases)}),
				),
			},
		},
	})
}
