package builder

import (
	"context"
	"net/http"
	"sync"

	"github.com/campaignops/terraform-provider-campaigns/internal/client"
)

// A refresh of many campaigns of one bot costs one list request instead of
// one read each: the first RefreshCampaign of a bot lists it, every
// concurrent and later caller of the same client shares that answer. Writes
// through this client forget the bot's list, so a read after a write never
// sees the list from before it. Correctness never depends on the list: a
// campaign it lacks, a list endpoint that is missing (404/405) or a failed
// list all fall back to reading the one campaign.

type botKey struct{ organization, bot string }

type botList struct {
	done      chan struct{}
	campaigns map[string]Campaign // nil when the list could not be used
}

type listCache struct {
	mu          sync.Mutex
	lists       map[botKey]*botList
	generations map[botKey]uint64 // bumped by every write to the bot
	unsupported bool              // the server has no list endpoint
}

// RefreshCampaign reads one campaign through its bot's shared list, falling
// back to GetCampaign. A campaign absent from both is gone: client.IsNotFound.
func (c *Client) RefreshCampaign(ctx context.Context, organization, bot, id string) (Campaign, error) {
	if campaigns := c.botCampaigns(ctx, botKey{organization, bot}); campaigns != nil {
		if campaign, ok := campaigns[id]; ok {
			return campaign, nil
		}
	}
	return c.GetCampaign(ctx, organization, bot, id)
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
	// refresh lists again.
	if list.campaigns == nil || cache.generations[key] != generation {
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
