package builder

import (
	"context"
	"errors"
	"fmt"
	"net/http"
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
// else posted again with the same id. It is never created twice.
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
		ambiguous, lastErr = true, err
	}
	return Campaign{}, uncertain(fmt.Errorf("gave up after %d tries, the last: %w", maxCreateRounds, lastErr))
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
	resp, err := c.do(ctx, client.Request{
		Operation: "update campaign",
		Method:    http.MethodPut,
		Path:      CampaignPath(organization, bot, id),
		Body:      replacementOf(campaign),
		Policy:    client.RetryIdempotent,
	})
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
