package emulator

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/campaignops/terraform-provider-campaigns/internal/client/builder"
)

// Campaigns is a copy of every stored campaign, of every organization and bot, sorted by id.
func (e *Emulator) Campaigns() []builder.Campaign {
	e.mu.Lock()
	list := make([]builder.Campaign, 0, len(e.campaigns))
	for _, c := range e.campaigns {
		list = append(list, cloneCampaign(c))
	}
	e.mu.Unlock()
	slices.SortFunc(list, func(a, b builder.Campaign) int { return cmp.Compare(a.ID, b.ID) })
	return list
}

// Campaign is a copy of the stored campaign id, whatever its organization.
func (e *Emulator) Campaign(id string) (builder.Campaign, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	c, ok := e.campaigns[strings.ToLower(id)]
	return cloneCampaign(c), ok
}

// PutCampaign stores c under organization and bot out of band, as placed sets it; the rest is kept as given.
func (e *Emulator) PutCampaign(organization, bot string, c builder.Campaign) {
	c = e.placed(cloneCampaign(c), organization, bot, false)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.campaigns[c.ID] = c
}

// placed is c as stored under organization and bot: its id in lower case (new when none or newID),
// not_started and created now unless c says otherwise.
func (e *Emulator) placed(c builder.Campaign, organization, bot string, newID bool) builder.Campaign {
	now := e.now()
	if c.ID = strings.ToLower(c.ID); c.ID == "" || newID {
		c.ID = e.newObjectID(now)
	}
	c.Organization, c.BotName = ptr(organization), ptr(bot)
	c.Status = cmp.Or(c.Status, ptr(builder.StatusNotStarted))
	c.CreationDate = cmp.Or(c.CreationDate, ptr(e.dialects.stamp(now)))
	return c
}

// SetCampaignStatus changes a campaign's status out of band; false if there is no such campaign.
func (e *Emulator) SetCampaignStatus(id, status string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	c, ok := e.campaigns[strings.ToLower(id)]
	if ok {
		c.Status = ptr(status)
		e.campaigns[c.ID] = c
	}
	return ok
}

// RemoveCampaign deletes a campaign out of band; false if there was none.
func (e *Emulator) RemoveCampaign(id string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	_, ok := e.campaigns[strings.ToLower(id)]
	delete(e.campaigns, strings.ToLower(id))
	return ok
}

// AdvanceSchedule plays the scheduler at now: a due campaign starts, one already in progress concludes with a log
// file (two calls to conclude, as a send takes time).
func (e *Emulator) AdvanceSchedule(now time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for id, c := range e.campaigns {
		if due, err := time.Parse(time.RFC3339, deref(c.ScheduledDate)); err != nil || due.After(now) {
			continue
		}
		switch deref(c.Status) {
		case builder.StatusNotStarted:
			c.Status = ptr(builder.StatusInProgress)
		case builder.StatusInProgress:
			c.Status = ptr(builder.StatusConcluded)
			c.LogFile = ptr("logs/" + id + ".log")
		default:
			continue
		}
		e.campaigns[id] = c
	}
}

// runScheduler calls AdvanceSchedule every interval until ctx ends.
func (e *Emulator) runScheduler(ctx context.Context, interval time.Duration) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			e.AdvanceSchedule(time.Now())
		}
	}
}

// Triggers is every fired trigger the emulator still knows, by id.
func (e *Emulator) Triggers() []Trigger {
	e.mu.Lock()
	list := make([]Trigger, 0, len(e.triggers))
	for _, t := range e.triggers {
		t.Payload = slices.Clone(t.Payload)
		list = append(list, t)
	}
	e.mu.Unlock()
	slices.SortFunc(list, func(a, b Trigger) int { return cmp.Compare(a.ID, b.ID) })
	return list
}

// RemoveTrigger makes the service forget a trigger (its read answers 404); false if there was none.
func (e *Emulator) RemoveTrigger(id int64) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	_, ok := e.triggers[id]
	delete(e.triggers, id)
	return ok
}
