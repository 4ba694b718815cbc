package builder

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/campaignops/terraform-provider-campaigns/internal/client"
)

// maxCreateRounds bounds the POST, read-back, POST again loop of a create
// whose outcome stays unknown.
const maxCreateRounds = 3

// UncertainCreateError is a create that failed in a way that may have
// created the campaign: the provider keeps CampaignID in state so that
// nothing is orphaned.
type UncertainCreateError struct {
	CampaignID string
	Err        error
}

func (e *UncertainCreateError) Error() string {
	return fmt.Sprintf("create campaign %s: the outcome is unknown and the campaign may exist on the server: %v", e.CampaignID, e.Err)
}

func (e *UncertainCreateError) Unwrap() error { return e.Err }

// CreateCampaign creates campaign under its own id (a new ObjectId when
// empty) so that a create whose outcome is unknown can be checked: when the
// POST may have run, the campaign is read by id and adopted if it exists,
// else looked for under an id the server chose (createdUnderAnotherID), and
// only then posted again with the same id. It is never created twice.
//
// The error says what state may keep:
//   - nil: the server acknowledged the create (any 2xx); the campaign has an
//     id whatever the answer carried (see writeAnswer).
//   - *UncertainCreateError: some attempt may have created it; keep its id.
//   - any other error: no attempt can have run on the server (the login
//     failed, the connection was refused, 429 after the last retry, a 4xx
//     with no ambiguous attempt before it); there is nothing to keep.
func (c *Client) CreateCampaign(ctx context.Context, organization, bot string, campaign Campaign) (Campaign, error) {
	if campaign.ID == "" {
		campaign.ID = NewObjectID()
	}
	if !ValidObjectID(campaign.ID) {
		return Campaign{}, fmt.Errorf("create campaign: id %q is not a Mongo ObjectId (24 lowercase hexadecimal digits)", campaign.ID)
	}
	defer c.forgetBot(organization, bot)
	uncertain := func(err error) error { return &UncertainCreateError{CampaignID: campaign.ID, Err: err} }
	var (
		lastErr   error
		ambiguous bool // some attempt may have run on the server
	)
	for range maxCreateRounds {
		resp, err := c.do(ctx, client.Request{
			Operation: "create campaign",
			Method:    http.MethodPost,
			Path:      CampaignsPath(organization, bot),
			Body:      campaign,
			Policy:    client.RetryOnlyIfNotProcessed,
		})
		if err == nil {
			return c.writeAnswer(ctx, "create campaign", organization, bot, campaign.ID, resp, true), nil
		}
		var authErr *authError
		refused := isRefusal(err)
		switch {
		case errors.As(err, &authErr) || (!refused && !client.MayHaveBeenProcessed(err)):
			// This attempt never reached the server; an earlier one may have.
			if ambiguous {
				return Campaign{}, uncertain(err)
			}
			return Campaign{}, err
		case refused && !ambiguous:
			return Campaign{}, err
		}
		// Either this attempt may have run, or it was refused after one that
		// may have run: a server that answers a repeated _id with 409 or 422
		// "duplicate id" says the campaign exists. Reading by id tells.
		existing, readErr := c.GetCampaign(ctx, organization, bot, campaign.ID)
		switch {
		case readErr == nil:
			return existing, nil
		case !client.IsNotFound(readErr) || refused:
			return Campaign{}, uncertain(errors.Join(err, readErr))
		}
		// Not under our id; but a server that makes its own ids may have
		// created it under another, and posting again would create it twice.
		elsewhere, found, findErr := c.createdUnderAnotherID(ctx, organization, bot, campaign)
		switch {
		case findErr != nil:
			return Campaign{}, uncertain(errors.Join(err, findErr))
		case found:
			return elsewhere, nil
		}
		ambiguous, lastErr = true, err
	}
	return Campaign{}, uncertain(fmt.Errorf("gave up after %d tries, the last: %w", maxCreateRounds, lastErr))
}

// createdUnderAnotherID looks for sent under an id the server chose, after
// a create whose outcome is unknown and whose own id the server does not
// know: a server that ignores the _id it is sent (one that lets MongoDB make
// the id) would make a second campaign of a repeated POST. It lists the bot
// and reads each entry named like sent (a list may answer summaries); the
// one campaign holding every user field that was sent is the one created,
// and is adopted, with a problem saying so. found is false when none holds
// them, or when the bot has no list (404, 405: nothing to check, and the
// contract's assumption, that the server keeps the id, stands). Several
// are an error: one of them may be this create's, and posting again could
// make one more.
func (c *Client) createdUnderAnotherID(ctx context.Context, organization, bot string, sent Campaign) (Campaign, bool, error) {
	listed, err := c.ListCampaigns(ctx, organization, bot)
	switch status := client.StatusOf(err); {
	case status == http.StatusNotFound || status == http.StatusMethodNotAllowed:
		return Campaign{}, false, nil
	case err != nil:
		return Campaign{}, false, fmt.Errorf("looking for the campaign under an id of the server's: %w", err)
	}
	var matches []Campaign
	for _, entry := range listed {
		if entry.ID == "" || entry.ID == sent.ID || orEmpty(entry.CampaignName) != orEmpty(sent.CampaignName) {
			continue
		}
		if len(missingUserFields(entry, fullCampaign)) > 0 {
			read, err := c.GetCampaign(ctx, organization, bot, entry.ID)
			switch {
			case client.IsNotFound(err):
				continue
			case err != nil:
				return Campaign{}, false, fmt.Errorf("looking for the campaign under an id of the server's: %w", err)
			}
			entry = read
		}
		if sameUserFields(sent, entry) {
			matches = append(matches, entry)
		}
	}
	switch len(matches) {
	case 0:
		return Campaign{}, false, nil
	case 1:
		found := matches[0]
		found.Problems = append(found.Problems, fmt.Sprintf(
			"the server did not keep the id this provider sent (%s): after a create whose outcome was unknown, campaign %s, named %q and holding every field that was sent, was found and adopted instead of posting the campaign again",
			sent.ID, found.ID, orEmpty(sent.CampaignName)))
		return found, true, nil
	}
	ids := make([]string, len(matches))
	for i, m := range matches {
		ids[i] = m.ID
	}
	return Campaign{}, false, fmt.Errorf("the server did not keep the id this provider sent (%s), and %d campaigns named %q hold every field that was sent (%s): one of them may be this create's, so it is not posted again",
		sent.ID, len(matches), orEmpty(sent.CampaignName), strings.Join(ids, ", "))
}

// sameUserFields tells whether stored holds every user field of sent: null
// and empty alike, and scheduled_date at the precision the server keeps.
func sameUserFields(sent, stored Campaign) bool {
	for _, field := range [][2]*string{
		{sent.CampaignName, stored.CampaignName}, {sent.Name, stored.Name}, {sent.Description, stored.Description},
		{sent.Content, stored.Content}, {sent.File, stored.File},
	} {
		if orEmpty(field[0]) != orEmpty(field[1]) {
			return false
		}
	}
	if !slices.Equal(sent.SheetValues, stored.SheetValues) && (len(sent.SheetValues) > 0 || len(stored.SheetValues) > 0) {
		return false
	}
	sentDate, storedDate := orEmpty(sent.ScheduledDate), orEmpty(stored.ScheduledDate)
	return sentDate == storedDate || client.SameStoredInstant(sentDate, storedDate)
}

// orEmpty is a field's value, "" for null.
func orEmpty(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// isRefusal is a 4xx answer: the server refused that request.
func isRefusal(err error) bool {
	status := client.StatusOf(err)
	return status >= 400 && status <= 499
}

// GetCampaign reads one campaign; a 404 satisfies client.IsNotFound.
func (c *Client) GetCampaign(ctx context.Context, organization, bot, id string) (Campaign, error) {
	resp, err := c.do(ctx, client.Request{
		Operation: "read campaign",
		Method:    http.MethodGet,
		Path:      CampaignPath(organization, bot, id),
		Policy:    client.RetryIdempotent,
	})
	if err != nil {
		return Campaign{}, err
	}
	return c.campaignAnswer("read campaign", resp, id)
}

// ListCampaigns reads all campaigns of a bot.
func (c *Client) ListCampaigns(ctx context.Context, organization, bot string) ([]Campaign, error) {
	resp, err := c.do(ctx, client.Request{
		Operation: "list campaigns",
		Method:    http.MethodGet,
		Path:      CampaignsPath(organization, bot),
		Policy:    client.RetryIdempotent,
	})
	if err != nil {
		return nil, err
	}
	campaigns, err := DecodeCampaigns(resp.Body)
	for i := range campaigns {
		campaigns[i] = c.scrubbed(campaigns[i])
	}
	if err != nil {
		return nil, c.unreadable("list campaigns", resp, err)
	}
	return campaigns, nil
}

// UpdateCampaign replaces a campaign (PUT replaces the whole document). Once
// the campaign has started the server answers 409: client.StatusOf(err).
// After a 2xx it returns no error and the campaign under id (writeAnswer).
func (c *Client) UpdateCampaign(ctx context.Context, organization, bot, id string, campaign Campaign) (Campaign, error) {
	campaign.ID = id
	defer c.forgetBot(organization, bot)
	put := func(body any) (*client.Response, error) {
		return c.do(ctx, client.Request{
			Operation: "update campaign",
			Method:    http.MethodPut,
			Path:      CampaignPath(organization, bot, id),
			Body:      body,
			Policy:    client.RetryIdempotent,
		})
	}
	replacement := replacementOf(campaign)
	resp, err := put(replacement)
	if client.StatusOf(err) == http.StatusUnprocessableEntity && replacement.hasNulls() {
		// A server may refuse null for a field with a default (pydantic v1
		// makes such a field not Optional): send the campaign again with
		// those fields left out, which such a server reads as cleared. A
		// PUT is idempotent, so repeating it is safe.
		resp, err = put(campaign)
	}
	if err != nil {
		return Campaign{}, err
	}
	return c.writeAnswer(ctx, "update campaign", organization, bot, id, resp, false), nil
}

// DeleteCampaign deletes a campaign; one already gone (404) counts as done.
// The answer's body, if any, is not used.
func (c *Client) DeleteCampaign(ctx context.Context, organization, bot, id string) error {
	defer c.forgetBot(organization, bot)
	_, err := c.do(ctx, client.Request{
		Operation: "delete campaign",
		Method:    http.MethodDelete,
		Path:      CampaignPath(organization, bot, id),
		Policy:    client.RetryIdempotent,
	})
	if client.IsNotFound(err) {
		return nil
	}
	return err
}

// writeAnswer is the campaign a 2xx answer to a create or update stands for.
// The write happened, so its id must reach the caller whatever the answer
// carries: the server's id when it names one (for a create, a server that
// ignored the _id it was sent made the campaign under its own), else ours.
// An answer with no document in it (an empty body, null, {}, only the id,
// not JSON) is completed by one read; when that read fails too, the
// campaign is only its id, and a problem says the rest is unknown.
func (c *Client) writeAnswer(ctx context.Context, operation, organization, bot, id string, resp *client.Response, create bool) Campaign {
	answered, fields, err := decodeCampaign(resp.Body)
	var problems []string
	switch {
	case err != nil:
		fields = 0
	case answered.ID == "" || strings.EqualFold(answered.ID, id):
		answered.ID = id
	case create && ValidObjectID(strings.ToLower(answered.ID)):
		problems = append(problems, fmt.Sprintf("the server ignored the id this provider sent (%s) and created the campaign as %s; %s is used",
			id, answered.ID, answered.ID))
		answered.ID = strings.ToLower(answered.ID)
		id = answered.ID
	case create:
		// Every campaign id is an ObjectId (the seed's _id): anything else is
		// a misspelled answer, not the server's own id.
		problems = append(problems, fmt.Sprintf("the answer named the campaign %q, which is not a campaign id (24 hexadecimal digits); the id this provider sent, %s, is kept",
			answered.ID, id))
		answered.ID = id
	default:
		problems = append(problems, fmt.Sprintf("the answer to the update of campaign %s named campaign %s; it was not used", id, answered.ID))
		fields = 0
	}
	if fields > 0 {
		answered.Problems = append(problems, answered.Problems...)
		return c.scrubbed(answered)
	}
	read, readErr := c.GetCampaign(ctx, organization, bot, id)
	if readErr != nil {
		problems = append(problems, fmt.Sprintf("the server accepted the %s (HTTP %d) but its answer carried no campaign, and reading campaign %s back failed (%v): "+
			"the fields the server manages are unknown until the next refresh", operation, resp.Status, id, readErr))
		return c.scrubbed(Campaign{ID: id, Problems: problems})
	}
	read.Problems = append(problems, read.Problems...)
	return c.scrubbed(read)
}

// scrubbed is campaign with no known secret in its problems, which quote
// what the server sent.
func (c *Client) scrubbed(campaign Campaign) Campaign {
	for i, problem := range campaign.Problems {
		campaign.Problems[i] = c.http.Secrets().Scrub(problem)
	}
	return campaign
}

// unreadable is a 2xx answer that could not be used, its text scrubbed.
func (c *Client) unreadable(operation string, resp *client.Response, err error) error {
	return &client.UnreadableAnswerError{Operation: operation, Status: resp.Status, Err: c.http.Secrets().ScrubError(err)}
}

// campaignAnswer decodes a campaign answer; one without _id is the campaign
// that was asked for.
func (c *Client) campaignAnswer(operation string, resp *client.Response, id string) (Campaign, error) {
	campaign, err := DecodeCampaign(resp.Body)
	if err != nil {
		return Campaign{}, c.unreadable(operation, resp, err)
	}
	if campaign.ID == "" {
		campaign.ID = id
	}
	return c.scrubbed(campaign), nil
}
