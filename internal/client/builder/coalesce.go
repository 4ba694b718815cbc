package builder

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/campaignops/terraform-provider-campaigns/internal/client"
)

// Refreshing a bot's campaigns costs one list, shared until a write forgets it, with reads as the fallback;
// a list may answer summaries, so what an entry lacks is cleared only once a read shows it (listShape).

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

type botState struct {
	list       *botList // shared while in flight or usable
	generation uint64   // bumped by every write to the bot
	shape      listShape
}

type listCache struct {
	mu          sync.Mutex
	bots        map[botKey]*botState
	unsupported bool // the server has no list endpoint
}

// bot is key's state; the caller holds mu.
func (cache *listCache) bot(key botKey) *botState {
	if cache.bots[key] == nil {
		cache.bots[key] = &botState{}
	}
	return cache.bots[key]
}

// maxCompletionReads bounds the reads that complete one list at once.
const maxCompletionReads = 8

// RefreshCampaign reads a campaign through its bot's list (an entry lacking a field of prior is read); a
// read answering 200 with nothing (find_one's None) is gone only when the whole list lacks it too.
func (c *Client) RefreshCampaign(ctx context.Context, organization, bot string, prior Campaign) (Campaign, error) {
	key := botKey{organization, bot}
	c.claim(prior.ID)
	var campaigns map[string]Campaign
	if c.lists.shape(key) != shapeSummaries {
		campaigns = c.botCampaigns(ctx, key)
	}
	entry, listed := campaigns[prior.ID]
	if listed && (c.lists.shape(key) == shapeFull || !lacksUserField(entry, &prior)) {
		return entry, nil
	}
	read, err := c.GetCampaign(ctx, organization, bot, prior.ID)
	switch {
	case errors.Is(err, errEmptyAnswer):
		if campaigns == nil {
			campaigns = c.botCampaigns(ctx, key) // even when the list answers summaries: it is the proof
		}
		if _, listed := campaigns[prior.ID]; campaigns != nil && !listed {
			return Campaign{}, &client.APIError{
				Operation: "read campaign", Method: http.MethodGet, Path: CampaignPath(organization, bot, prior.ID), Status: http.StatusNotFound,
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

// ListCampaignsComplete lists a bot's campaigns whole, reading entries that may be summaries; while the
// shape is unknown, the first maxCompletionReads reads are the probe (any with more: read them all).
func (c *Client) ListCampaignsComplete(ctx context.Context, organization, bot string) ([]Campaign, error) {
	key := botKey{organization, bot}
	campaigns, err := c.ListCampaigns(ctx, organization, bot)
	if err != nil || c.lists.shape(key) == shapeFull {
		return campaigns, err
	}
	var incomplete []int
	for i, entry := range campaigns {
		if entry.ID != "" && lacksUserField(entry, nil) {
			incomplete = append(incomplete, i)
		}
	}
	var gone sync.Map // the ids of entries deleted since the list
	wave := incomplete
	if c.lists.shape(key) == shapeUnknown {
		wave = incomplete[:min(len(incomplete), maxCompletionReads)]
	}
	err = c.readEntries(ctx, key, campaigns, wave, &gone)
	if err == nil && len(wave) < len(incomplete) && c.lists.shape(key) == shapeSummaries {
		err = c.readEntries(ctx, key, campaigns, incomplete[len(wave):], &gone)
	}
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(campaigns, func(campaign Campaign) bool {
		_, deleted := gone.Load(campaign.ID)
		return deleted
	}), nil
}

// readEntries replaces campaigns[indices] by their reads (or stores the id in gone), learning from each.
func (c *Client) readEntries(ctx context.Context, key botKey, campaigns []Campaign, indices []int, gone *sync.Map) error {
	group, groupCtx := errgroup.WithContext(ctx)
	group.SetLimit(maxCompletionReads)
	for _, i := range indices {
		group.Go(func() error {
			read, err := c.GetCampaign(groupCtx, key.organization, key.bot, campaigns[i].ID)
			switch {
			case client.IsNotFound(err):
				gone.Store(campaigns[i].ID, true)
			case err != nil:
				return err
			default:
				c.lists.learn(key, campaigns[i], read)
				campaigns[i] = read
			}
			return nil
		})
	}
	return group.Wait()
}

// lacksUserField: got has no value for a user field want has (want nil: any).
func lacksUserField(got Campaign, want *Campaign) bool {
	for _, f := range CampaignFields {
		if f.User() && (want == nil || f.Has(want)) && !f.Has(&got) {
			return true
		}
	}
	return false
}

func (cache *listCache) shape(key botKey) listShape {
	cache.mu.Lock()
	defer cache.mu.Unlock()
	return cache.bot(key).shape
}

// learn: a field the entry lacked means summaries for good (a full-looking entry proves nothing).
func (cache *listCache) learn(key botKey, entry, read Campaign) {
	cache.mu.Lock()
	defer cache.mu.Unlock()
	switch b := cache.bot(key); {
	case lacksUserField(entry, &read):
		b.shape = shapeSummaries
	case b.shape == shapeUnknown:
		b.shape = shapeFull
	}
}

// botCampaigns returns the bot's campaigns by id, listed once; nil: read each.
func (c *Client) botCampaigns(ctx context.Context, key botKey) map[string]Campaign {
	cache := &c.lists
	cache.mu.Lock()
	b := cache.bot(key)
	if list, unsupported := b.list, cache.unsupported; unsupported || list != nil {
		cache.mu.Unlock()
		if unsupported {
			return nil
		}
		select {
		case <-list.done:
			return list.campaigns
		case <-ctx.Done():
			return nil
		}
	}
	list, generation := &botList{done: make(chan struct{})}, b.generation
	b.list = list
	cache.mu.Unlock()

	campaigns, err := c.ListCampaigns(ctx, key.organization, key.bot)

	cache.mu.Lock()
	defer cache.mu.Unlock()
	defer close(list.done)
	if err == nil {
		list.campaigns = make(map[string]Campaign, len(campaigns))
		for _, campaign := range campaigns {
			list.campaigns[campaign.ID] = campaign
		}
	}
	if status := client.StatusOf(err); status == http.StatusNotFound || status == http.StatusMethodNotAllowed {
		cache.unsupported = true
	}
	// A failed or overtaken list is not kept; an incomplete one is (as nil: relisting would not help).
	if b.list == list && ((list.campaigns == nil && !errors.As(err, new(*IncompleteListError))) || b.generation != generation) {
		b.list = nil
	}
	return list.campaigns
}

// forgetBot drops the bot's list after a write through this client.
func (c *Client) forgetBot(organization, bot string) {
	c.lists.mu.Lock()
	defer c.lists.mu.Unlock()
	b := c.lists.bot(botKey{organization, bot})
	b.generation++
	b.list = nil
}
