package builder

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/campaignops/terraform-provider-campaigns/internal/client"
)

// A refresh of many campaigns of one bot costs one list request instead of
// one read each: the first RefreshCampaign of a bot lists it, every
// concurrent and later caller of the same client shares that answer. Writes
// through this client forget the bot's list, so a read after a write never
// sees the list from before it. Correctness never depends on the list: a
// campaign it lacks, a list endpoint that is missing (404/405) or a failed
// list all fall back to reading the one campaign.
//
// A list may answer summaries (no content, no sheet_values, ...) where a read
// answers the whole document. A field missing from a list entry is therefore
// never taken for "the server cleared it" until a read confirmed it: what a
// read shows is remembered per bot (listShape), so that a bot whose list
// answers summaries is read campaign by campaign from then on, and one whose
// list answers full documents keeps costing one list.

type botKey struct{ organization, bot string }

// listShape is what a bot's list answers, as far as reads have shown.
type listShape int

const (
	shapeUnknown   listShape = iota
	shapeSummaries           // entries lack fields that a read has
	shapeFull                // entries are the documents a read gives
)

type botList struct {
	done      chan struct{}
	campaigns map[string]Campaign // nil when the list could not be used
}

type listCache struct {
	mu          sync.Mutex
	lists       map[botKey]*botList
	generations map[botKey]uint64 // bumped by every write to the bot
	shapes      map[botKey]listShape
	unsupported bool // the server has no list endpoint
}

// maxCompletionReads bounds the reads that complete one list at once.
const maxCompletionReads = 8

// RefreshCampaign reads one campaign through its bot's shared list, falling
// back to GetCampaign. prior is the campaign as last known (state): a list
// entry that lacks a field prior has a value for is confirmed by a read. A campaign
// absent from both list and read is gone: client.IsNotFound. A read that
// answers 200 with nothing (a handler returning find_one's None) is gone
// only when the bot's whole list lacks it too; alone, it proves nothing.
func (c *Client) RefreshCampaign(ctx context.Context, organization, bot string, prior Campaign) (Campaign, error) {
	key := botKey{organization, bot}
	c.claim(prior.ID)
	var campaigns map[string]Campaign
	if c.lists.shape(key) != shapeSummaries {
		campaigns = c.botCampaigns(ctx, key)
	}
	entry, listed := campaigns[prior.ID]
	if listed && (c.lists.shape(key) == shapeFull || len(missingUserFields(entry, prior)) == 0) {
		return entry, nil
	}
	read, err := c.GetCampaign(ctx, organization, bot, prior.ID)
	switch {
	case errors.Is(err, errEmptyAnswer):
		if campaigns == nil {
			campaigns = c.botCampaigns(ctx, key) // read even when the list answers summaries: it is the proof
		}
		if _, listed := campaigns[prior.ID]; campaigns != nil && !listed {
			return Campaign{}, &client.APIError{
				Operation: "read campaign", Method: http.MethodGet, Path: CampaignPath(organization, bot, prior.ID),
				Status:  http.StatusNotFound,
				Message: "the server answered 200 with no campaign (null or an empty body), and the bot's whole list does not hold it",
			}
		}
		return Campaign{}, fmt.Errorf("%w; whether it is gone cannot be told: the bot's list could not be read whole to confirm it", err)
	case err != nil:
		return Campaign{}, err
	case listed:
		c.lists.learn(key, entry, read)
	}
	return read, nil
}

// ListCampaignsComplete lists a bot's campaigns in the API's order, each one
// the whole document. An entry that lacks any user field may be a summary,
// so it is read, unless the bot's list is known to answer whole documents.
// While that is not known, the first maxCompletionReads such entries are
// read as a probe: if none of the reads has more than its entry, the list
// answers whole documents and the rest are trusted; if any has more, every
// entry is read. Campaigns deleted between the list and the read are left
// out.
func (c *Client) ListCampaignsComplete(ctx context.Context, organization, bot string) ([]Campaign, error) {
	key := botKey{organization, bot}
	campaigns, err := c.ListCampaigns(ctx, organization, bot)
	if err != nil || c.lists.shape(key) == shapeFull {
		return campaigns, err
	}
	var incomplete []int
	for i, entry := range campaigns {
		if entry.ID != "" && len(missingUserFields(entry, fullCampaign)) > 0 {
			incomplete = append(incomplete, i)
		}
	}
	reads := make([]*Campaign, len(campaigns))
	wave := incomplete
	if c.lists.shape(key) == shapeUnknown {
		wave = incomplete[:min(len(incomplete), maxCompletionReads)]
	}
	if err := c.readEntries(ctx, key, campaigns, wave, reads); err != nil {
		return nil, err
	}
	if len(wave) < len(incomplete) && c.lists.shape(key) == shapeSummaries {
		if err := c.readEntries(ctx, key, campaigns, incomplete[len(wave):], reads); err != nil {
			return nil, err
		}
	}
	complete := make([]Campaign, 0, len(campaigns))
	for i, entry := range campaigns {
		switch {
		case reads[i] == nil:
			complete = append(complete, entry) // not read: complete, or trusted
		case reads[i].ID != "":
			complete = append(complete, *reads[i])
		}
		// else: read, and deleted since the list.
	}
	return complete, nil
}

// readEntries reads the campaigns at indices, maxCompletionReads at a time,
// into reads (a campaign without id for one deleted since the list), and
// learns from each what the bot's list answers.
func (c *Client) readEntries(ctx context.Context, key botKey, campaigns []Campaign, indices []int, reads []*Campaign) error {
	group, groupCtx := errgroup.WithContext(ctx)
	group.SetLimit(maxCompletionReads)
	for _, i := range indices {
		group.Go(func() error {
			read, err := c.GetCampaign(groupCtx, key.organization, key.bot, campaigns[i].ID)
			switch {
			case client.IsNotFound(err):
				reads[i] = &Campaign{} // no id: deleted since the list
				return nil
			case err != nil:
				return err
			}
			c.lists.learn(key, campaigns[i], read)
			reads[i] = &read
			return nil
		})
	}
	return group.Wait()
}

// fullCampaign has a value in every user field, for missingUserFields.
var fullCampaign = func() Campaign {
	c, text := Campaign{SheetValues: []string{""}}, ""
	for _, f := range CampaignFields {
		if f.User() && f.Kind != KindList {
			*f.Text(&c) = &text
		}
	}
	return c
}()

// missingUserFields are the user fields (those a configuration sets) that
// have a value in want and none in got.
func missingUserFields(got, want Campaign) []string {
	var missing []string
	for _, f := range CampaignFields {
		if f.User() && f.Has(&want) && !f.Has(&got) {
			missing = append(missing, f.Key)
		}
	}
	return missing
}

func (cache *listCache) shape(key botKey) listShape {
	cache.mu.Lock()
	defer cache.mu.Unlock()
	return cache.shapes[key]
}

// learn records what a read of a campaign showed about its list entry: a
// user field the entry lacked and the read has means the list answers
// summaries (for good: a later full-looking entry proves nothing); a read
// that has no more than the entry means the list answered the document.
func (cache *listCache) learn(key botKey, entry, read Campaign) {
	cache.mu.Lock()
	defer cache.mu.Unlock()
	if cache.shapes == nil {
		cache.shapes = map[botKey]listShape{}
	}
	switch {
	case len(missingUserFields(entry, read)) > 0:
		cache.shapes[key] = shapeSummaries
	case cache.shapes[key] == shapeUnknown:
		cache.shapes[key] = shapeFull
	}
}

// botCampaigns returns the bot's campaigns by id, listing them once; nil
// means "read each campaign instead".
func (c *Client) botCampaigns(ctx context.Context, key botKey) map[string]Campaign {
	cache := &c.lists
	cache.mu.Lock()
	if cache.unsupported {
		cache.mu.Unlock()
		return nil
	}
	if cache.lists == nil {
		cache.lists = map[botKey]*botList{}
		cache.generations = map[botKey]uint64{}
	}
	if list, ok := cache.lists[key]; ok {
		cache.mu.Unlock()
		select {
		case <-list.done:
			return list.campaigns
		case <-ctx.Done():
			return nil
		}
	}
	list := &botList{done: make(chan struct{})}
	cache.lists[key] = list
	generation := cache.generations[key]
	cache.mu.Unlock()

	campaigns, err := c.ListCampaigns(ctx, key.organization, key.bot)

	cache.mu.Lock()
	defer cache.mu.Unlock()
	defer close(list.done)
	switch status := client.StatusOf(err); {
	case err == nil:
		list.campaigns = make(map[string]Campaign, len(campaigns))
		for _, campaign := range campaigns {
			list.campaigns[campaign.ID] = campaign
		}
	case status == http.StatusNotFound || status == http.StatusMethodNotAllowed:
		cache.unsupported = true
	}
	// A failed list, or one that a write overtook, is not kept: the next
	// refresh lists again. One that cannot be read whole is kept (as nil:
	// read each campaign), since listing it again would not help.
	incomplete := errors.As(err, new(*IncompleteListError))
	if (list.campaigns == nil && !incomplete) || cache.generations[key] != generation {
		if cache.lists[key] == list {
			delete(cache.lists, key)
		}
	}
	return list.campaigns
}

// forgetBot drops the bot's list after a write through this client.
func (c *Client) forgetBot(organization, bot string) {
	key := botKey{organization, bot}
	cache := &c.lists
	cache.mu.Lock()
	defer cache.mu.Unlock()
	if cache.lists == nil {
		return
	}
	cache.generations[key]++
	delete(cache.lists, key)
}
