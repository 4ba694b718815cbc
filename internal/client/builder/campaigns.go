package builder

import (
	"context"
	"errors"
	"fmt"
	"net/http"

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
func (c *Client) CreateCampaign(ctx context.Context, organization, bot string, campaign Campaign) (Campaign, error) {
	if campaign.ID == "" {
		campaign.ID = NewObjectID()
	}
	if !ValidObjectID(campaign.ID) {
		return Campaign{}, fmt.Errorf("create campaign: id %q is not a Mongo ObjectId (24 lowercase hexadecimal digits)", campaign.ID)
	}
	defer c.forgetBot(organization, bot)
	var lastErr error
	for range maxCreateRounds {
		created, err := c.postCampaign(ctx, organization, bot, campaign)
		if err == nil {
			return created, nil
		}
		var authErr *authError
		if errors.As(err, &authErr) || !client.MayHaveBeenProcessed(err) {
			return Campaign{}, err
		}
		existing, readErr := c.GetCampaign(ctx, organization, bot, campaign.ID)
		if readErr == nil {
			return existing, nil
		}
		if !client.IsNotFound(readErr) {
			return Campaign{}, &UncertainCreateError{CampaignID: campaign.ID, Err: errors.Join(err, readErr)}
		}
		lastErr = err
	}
	return Campaign{}, &UncertainCreateError{
		CampaignID: campaign.ID,
		Err:        fmt.Errorf("gave up after %d tries, the last: %w", maxCreateRounds, lastErr),
	}
}

func (c *Client) postCampaign(ctx context.Context, organization, bot string, campaign Campaign) (Campaign, error) {
	resp, err := c.do(ctx, client.Request{
		Operation: "create campaign",
		Method:    http.MethodPost,
		Path:      CampaignsPath(organization, bot),
		Body:      campaign,
		Policy:    client.RetryOnlyIfNotProcessed,
	})
	if err != nil {
		return Campaign{}, err
	}
	return campaignAnswer("create campaign", resp, campaign.ID)
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
	return campaignAnswer("read campaign", resp, id)
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
	if err != nil {
		return nil, &client.UnreadableAnswerError{Operation: "list campaigns", Status: resp.Status, Err: err}
	}
	return campaigns, nil
}

// UpdateCampaign replaces a campaign (PUT replaces the whole document). Once
// the campaign has started the server answers 409: client.StatusOf(err).
func (c *Client) UpdateCampaign(ctx context.Context, organization, bot, id string, campaign Campaign) (Campaign, error) {
	campaign.ID = id
	defer c.forgetBot(organization, bot)
	resp, err := c.do(ctx, client.Request{
		Operation: "update campaign",
		Method:    http.MethodPut,
		Path:      CampaignPath(organization, bot, id),
		Body:      campaign,
		Policy:    client.RetryIdempotent,
	})
	if err != nil {
		return Campaign{}, err
	}
	return campaignAnswer("update campaign", resp, id)
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

// campaignAnswer decodes a campaign answer; one without _id is the campaign
// that was asked for.
func campaignAnswer(operation string, resp *client.Response, id string) (Campaign, error) {
	campaign, err := DecodeCampaign(resp.Body)
	if err != nil {
		return Campaign{}, &client.UnreadableAnswerError{Operation: operation, Status: resp.Status, Err: err}
	}
	if campaign.ID == "" {
		campaign.ID = id
	}
	return campaign, nil
}
