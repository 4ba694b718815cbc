package builder

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/campaignops/terraform-provider-campaigns/internal/client"
)

// maxCreateRounds bounds a create's POST, read back, POST again loop.
const maxCreateRounds = 3

// Window is when a create ran, on the client's clock: its campaign was made within it.
type Window struct{ From, To time.Time }

// createFailure is a create that may have made a campaign: state keeps CampaignID.
type createFailure struct {
	CampaignID string
	Window     Window
	Err        error
}

func (e *createFailure) Unwrap() error { return e.Err }

// UncertainCreateError is a create some attempt of which may have run.
type UncertainCreateError struct{ createFailure }

func (e *UncertainCreateError) Error() string {
	return fmt.Sprintf("create campaign %s: the outcome is unknown and the campaign may exist on the server: %v", e.CampaignID, e.Err)
}

// UnconfirmedCreateError is a 2xx create whose campaign nothing shows: the next refresh looks (LocateCampaign).
type UnconfirmedCreateError struct{ createFailure }

func (e *UnconfirmedCreateError) Error() string {
	return fmt.Sprintf("create campaign %s: the server accepted it, but which campaign it made is not known: %v", e.CampaignID, e.Err)
}

// CreateCampaign creates campaign under its own id, never twice: a POST that may have run is read by id,
// then looked for by its fields (findUnclaimed), and only then posted again with the same id. State keeps
// the campaign, or CampaignID (*Unconfirmed or *UncertainCreateError), or nothing (no attempt can have run).
func (c *Client) CreateCampaign(ctx context.Context, organization, bot string, campaign Campaign) (Campaign, error) {
	if campaign.ID == "" {
		campaign.ID = c.NewCampaignID(organization, bot)
	}
	if !ValidObjectID(campaign.ID) {
		return Campaign{}, fmt.Errorf("create campaign: id %q is not a Mongo ObjectId (24 lowercase hexadecimal digits)", campaign.ID)
	}
	defer c.forgetBot(organization, bot)
	since := c.http.Now()
	window := func() Window { return Window{since, c.http.Now()} }
	uncertain := func(err error) error { return &UncertainCreateError{createFailure{campaign.ID, window(), err}} }
	var (
		lastErr   error
		ambiguous bool // some attempt may have run on the server
	)
	for range maxCreateRounds {
		resp, err := c.do(ctx, client.Request{
			Operation: "create campaign", Method: http.MethodPost, Path: CampaignsPath(organization, bot), Body: campaign,
			Policy: client.RetryOnlyIfNotProcessed,
		})
		if err == nil {
			return c.createAnswer(ctx, organization, bot, campaign, resp, window)
		}
		refused := client.StatusOf(err)/100 == 4 // the server refused that request
		switch {
		case errors.As(err, new(*authError)) || (!refused && !client.MayHaveBeenProcessed(err)):
			// This attempt never reached the server; an earlier one may have.
			if ambiguous {
				return Campaign{}, uncertain(err)
			}
			return Campaign{}, err
		case refused && !ambiguous:
			return Campaign{}, err
		}
		// It may have run, or was refused after one that may have (409, 422 "duplicate id"): a read tells.
		existing, readErr := c.GetCampaign(ctx, organization, bot, campaign.ID)
		switch {
		case readErr == nil:
			c.claim(existing.ID)
			c.idsKept.Store(true)
			return existing, nil
		case !isGone(readErr) || refused:
			return Campaign{}, uncertain(errors.Join(err, readErr))
		}
		// A server that makes its own ids may hold it under another: posting again would make two.
		elsewhere, found, findErr := c.findUnclaimed(ctx, organization, bot, campaign, window())
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

// LocateCampaign looks on refresh for an uncertain create by its fields; none is client.IsNotFound.
func (c *Client) LocateCampaign(ctx context.Context, organization, bot string, sent Campaign, made Window) (Campaign, error) {
	found, ok, err := c.findUnclaimed(ctx, organization, bot, sent, made)
	if err == nil && !ok {
		err = &client.APIError{
			Operation: "locate campaign", Method: http.MethodGet, Path: CampaignsPath(organization, bot),
			Status: http.StatusNotFound, Message: "no campaign of the bot holds the fields that were sent",
		}
	}
	return found, err
}

// clockSkew is how far the server's clock may be from ours: further outside a create's window is a twin.
const clockSkew = 5 * time.Second

// findUnclaimed looks for sent under an id the server chose: the one campaign named like it holding every
// user field sent, claimed by no state and made within the window, is adopted with a problem. None is found
// when the bot has no list (404, 405) or the server keeps our ids (madeHere); several are an error.
func (c *Client) findUnclaimed(ctx context.Context, organization, bot string, sent Campaign, made Window) (Campaign, bool, error) {
	if c.idsKept.Load() {
		return Campaign{}, false, nil
	}
	listed, err := c.ListCampaigns(ctx, organization, bot)
	switch status := client.StatusOf(err); {
	case status == http.StatusNotFound || status == http.StatusMethodNotAllowed:
		return Campaign{}, false, nil
	case err != nil:
		return Campaign{}, false, fmt.Errorf("looking for the campaign under an id of the server's: %w", err)
	}
	if slices.ContainsFunc(listed, func(entry Campaign) bool { return entry.ID != sent.ID && madeHere(entry.ID, organization, bot) }) {
		c.idsKept.Store(true) // so the id it does not know was not created
		return Campaign{}, false, nil
	}
	var matches []Campaign
	var ids []string
	for _, entry := range listed {
		if _, claimed := c.claimed.Load(entry.ID); claimed || entry.ID == "" || entry.ID == sent.ID || orEmpty(entry.CampaignName) != orEmpty(sent.CampaignName) {
			continue
		}
		if lacksUserField(entry, nil) {
			read, err := c.GetCampaign(ctx, organization, bot, entry.ID)
			switch {
			case isGone(err):
				continue
			case err != nil:
				return Campaign{}, false, fmt.Errorf("looking for the campaign under an id of the server's: %w", err)
			}
			entry = read
		}
		if sameUserFields(sent, entry) && madeWithin(entry, made) {
			matches, ids = append(matches, entry), append(ids, entry.ID)
		}
	}
	switch len(matches) {
	case 0:
		return Campaign{}, false, nil
	case 1:
		found := matches[0]
		c.claim(found.ID)
		found.Problems = append(found.Problems, fmt.Sprintf(
			"the server did not keep the id this provider sent (%s): campaign %s, named %q and holding every field that was sent, was found and adopted instead of posting the campaign again",
			sent.ID, found.ID, orEmpty(sent.CampaignName)))
		return found, true, nil
	}
	return Campaign{}, false, fmt.Errorf("the server did not keep the id this provider sent (%s), and %d campaigns named %q that no state holds hold every field that was sent (%s): one of them may be this create's, so it is not posted again",
		sent.ID, len(matches), orEmpty(sent.CampaignName), strings.Join(ids, ", "))
}

// madeWithin: by the ObjectId (zone-free), else creation_date; true when neither says.
func madeWithin(campaign Campaign, w Window) bool {
	made, known := ObjectIDTime(campaign.ID)
	if !known {
		made, known = client.ParseTimestamp(orEmpty(campaign.CreationDate))
	}
	return !known || !made.Before(w.From.Add(-clockSkew).Truncate(time.Second)) && !made.After(w.To.Add(clockSkew))
}

// isGone: the read found no campaign (404, or 200 with nothing in it).
func isGone(err error) bool { return client.IsNotFound(err) || errors.Is(err, errEmptyAnswer) }

// sameUserFields: null and empty alike, timestamps at the precision the server keeps.
func sameUserFields(sent, stored Campaign) bool {
	for _, f := range CampaignFields {
		switch {
		case !f.User():
		case f.Kind == KindList:
			if !slices.Equal(sent.SheetValues, stored.SheetValues) { // nil and empty alike
				return false
			}
		case f.Kind == KindTimestamp:
			if a, b := orEmpty(*f.Text(&sent)), orEmpty(*f.Text(&stored)); a != b && !client.SameStoredInstant(a, b) {
				return false
			}
		case orEmpty(*f.Text(&sent)) != orEmpty(*f.Text(&stored)):
			return false
		}
	}
	return true
}

func orEmpty(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// GetCampaign reads one campaign (404: client.IsNotFound); no _id is the id asked for.
func (c *Client) GetCampaign(ctx context.Context, organization, bot, id string) (Campaign, error) {
	resp, err := c.do(ctx, client.Request{
		Operation: "read campaign", Method: http.MethodGet, Path: CampaignPath(organization, bot, id), Policy: client.RetryIdempotent,
	})
	if err != nil {
		return Campaign{}, err
	}
	campaign, _, err := decodeCampaign(resp.Body)
	if err != nil {
		return Campaign{}, c.unreadable("read campaign", resp, err)
	}
	campaign.ID = cmp.Or(campaign.ID, id)
	return c.scrubbed(campaign), nil
}

// ImportCampaign reads a campaign a state is about to hold, whole.
func (c *Client) ImportCampaign(ctx context.Context, organization, bot, id string) (Campaign, error) {
	c.claim(id)
	return c.GetCampaign(ctx, organization, bot, id)
}

// maxListPages bounds the pages of one list: 100,000 campaigns.
const maxListPages = 1000

// IncompleteListError is a list that cannot be read whole: never taken for the whole.
type IncompleteListError struct{ Operation, Reason string }

func (e *IncompleteListError) Error() string {
	return e.Operation + ": the list cannot be read whole: " + e.Reason
}

// ListCampaigns reads a bot's whole list, ListLimit at a time, until a page is shorter than asked;
// what cannot be read whole is an *IncompleteListError, never a subset.
func (c *Client) ListCampaigns(ctx context.Context, organization, bot string) ([]Campaign, error) {
	const operation = "list campaigns"
	var all []Campaign
	seen, limit := map[string]bool{}, ListLimit
	for range maxListPages {
		resp, err := c.do(ctx, client.Request{
			Operation: operation, Method: http.MethodGet, Path: CampaignsPath(organization, bot), Policy: client.RetryIdempotent,
			Query: url.Values{QuerySkip: {strconv.Itoa(len(all))}, QueryLimit: {strconv.Itoa(limit)}},
		})
		if lower, ok := lowerLimit(err); ok && lower < limit {
			limit = lower // a server whose limit may not exceed lower (422 from pydantic's le)
			continue
		}
		if err != nil {
			return nil, err
		}
		page, total, err := decodeCampaignList(resp.Body)
		if err != nil {
			return nil, c.unreadable(operation, resp, err)
		}
		before := len(all)
		for _, campaign := range page {
			if campaign.ID == "" || !seen[campaign.ID] {
				seen[campaign.ID] = true
				all = append(all, c.scrubbed(campaign))
			}
		}
		switch {
		case len(page) != limit && total > len(all):
			return nil, &IncompleteListError{operation, fmt.Sprintf("its answers hold %d campaigns, and it counts %d", len(all), total)}
		case len(page) != limit:
			return all, nil // a short page is the last; a longer one is a server that ignores limit
		case len(all) == before: // nothing new
			return nil, &IncompleteListError{operation, fmt.Sprintf(
				"it answered %d campaigns, and asked for the ones after them (%s=%d) it answered the same ones again: it caps its list and ignores %s",
				len(all), QuerySkip, len(all), QuerySkip)}
		}
	}
	return nil, &IncompleteListError{operation, fmt.Sprintf("it has more than %d pages of %d", maxListPages, limit)}
}

var limitProblem = regexp.MustCompile(`\blimit\b[^;]*?(\d+)`)

// lowerLimit reads a 422's largest limit ("query.limit: ensure this value is less than or equal to 50").
func lowerLimit(err error) (int, bool) {
	if apiErr, ok := errors.AsType[*client.APIError](err); ok && apiErr.Status == http.StatusUnprocessableEntity {
		if m := limitProblem.FindStringSubmatch(apiErr.Message); m != nil {
			n, convErr := strconv.Atoi(m[1])
			return n, convErr == nil && n > 0
		}
	}
	return 0, false
}

// UpdateCampaign replaces a campaign (409 once it has started); after a 2xx, no error.
func (c *Client) UpdateCampaign(ctx context.Context, organization, bot, id string, campaign Campaign) (Campaign, error) {
	campaign.ID = id
	defer c.forgetBot(organization, bot)
	put := func(body any) (*client.Response, error) {
		return c.do(ctx, client.Request{
			Operation: "update campaign", Method: http.MethodPut, Path: CampaignPath(organization, bot, id), Body: body, Policy: client.RetryIdempotent,
		})
	}
	replacement, nulls := replacementOf(campaign, false)
	resp, err := put(replacement)
	if nulls && client.StatusOf(err) == http.StatusUnprocessableEntity {
		nullFree, _ := replacementOf(campaign, true)
		resp, err = put(nullFree) // a PUT is idempotent: repeating it is safe
	}
	if err != nil {
		return Campaign{}, err
	}
	updated, _ := c.writeAnswer(ctx, "update campaign", organization, bot, id, resp, false)
	c.claim(id)
	return updated, nil
}

// DeleteCampaign deletes a campaign; one already gone (404) counts as done.
func (c *Client) DeleteCampaign(ctx context.Context, organization, bot, id string) error {
	defer c.forgetBot(organization, bot)
	_, err := c.do(ctx, client.Request{
		Operation: "delete campaign", Method: http.MethodDelete, Path: CampaignPath(organization, bot, id), Policy: client.RetryIdempotent,
	})
	if client.IsNotFound(err) {
		return nil
	}
	return err
}

// createAnswer is writeAnswer for a create: a campaign not found by id is looked for by its fields.
func (c *Client) createAnswer(ctx context.Context, organization, bot string, sent Campaign, resp *client.Response, window func() Window) (Campaign, error) {
	created, readErr := c.writeAnswer(ctx, "create campaign", organization, bot, sent.ID, resp, true)
	if readErr == nil || created.ID != sent.ID {
		c.claim(created.ID) // known: the answer or a read named it
		c.idsKept.CompareAndSwap(false, created.ID == sent.ID)
		return created, nil
	}
	if isGone(readErr) {
		found, ok, findErr := c.findUnclaimed(ctx, organization, bot, sent, window())
		if ok {
			return c.scrubbed(found), nil // its problems say it was adopted
		}
		readErr = errors.Join(readErr, findErr)
	}
	return Campaign{ID: sent.ID}, &UnconfirmedCreateError{createFailure{sent.ID, window(), c.http.Secrets().ScrubError(readErr)}}
}

// writeAnswer is the campaign a 2xx write stands for, always with an id (maybe the server's own); an
// answer with no document is completed by one read, else it is its id with a problem (readErr).
func (c *Client) writeAnswer(ctx context.Context, operation, organization, bot, id string, resp *client.Response, create bool) (campaign Campaign, readErr error) {
	answered, fields, _ := decodeCampaign(resp.Body) // no document (an error) has no fields: a read completes it
	var problems []string
	switch {
	case answered.ID == "" || strings.EqualFold(answered.ID, id):
		answered.ID = id
	case create && ValidObjectID(strings.ToLower(answered.ID)):
		problems = append(problems, fmt.Sprintf("the server ignored the id this provider sent (%s) and created the campaign as %s; %s is used",
			id, answered.ID, answered.ID))
		answered.ID = strings.ToLower(answered.ID)
		id = answered.ID
	case create: // every campaign id is an ObjectId: anything else is a misspelled answer
		problems = append(problems, fmt.Sprintf("the answer named the campaign %q, which is not a campaign id (24 hexadecimal digits); the id this provider sent, %s, is kept",
			answered.ID, id))
		answered.ID = id
	default:
		problems = append(problems, fmt.Sprintf("the answer to the update of campaign %s named campaign %s; it was not used", id, answered.ID))
		fields = 0
	}
	if fields > 0 {
		answered.Problems = append(problems, answered.Problems...)
		return c.scrubbed(answered), nil
	}
	read, readErr := c.GetCampaign(ctx, organization, bot, id)
	if readErr != nil {
		problems = append(problems, fmt.Sprintf("the server accepted the %s (HTTP %d) but its answer carried no campaign, and reading campaign %s back failed (%v): "+
			"the fields the server manages are unknown until the next refresh", operation, resp.Status, id, readErr))
		read = Campaign{ID: id}
	}
	read.Problems = append(problems, read.Problems...)
	return c.scrubbed(read), readErr
}

// scrubbed is campaign with no known secret in its problems, which quote the server.
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
