package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/campaignops/terraform-provider-campaigns/internal/client/builder"
)

// BarePosts is the network half of the apply floor: what any client must
// spend to create n campaigns. One login, then n POSTs over bots bots, at
// most parallelism at a time, with plain net/http and keep-alive: no retry
// policy, no redaction, no answer decoding.
func BarePosts(ctx context.Context, baseURL, organization string, n, bots, parallelism int) (time.Duration, error) {
	transport := &http.Transport{MaxIdleConns: parallelism, MaxIdleConnsPerHost: parallelism}
	defer transport.CloseIdleConnections()
	hc := &http.Client{Transport: transport, Timeout: 30 * time.Second}

	started := time.Now()
	var tokens builder.Tokens
	if err := postJSON(ctx, hc, baseURL+builder.PathLogin, "",
		builder.LoginRequest{User: benchUser, Password: benchPassword}, http.StatusOK, &tokens); err != nil {
		return 0, fmt.Errorf("log in: %w", err)
	}

	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(parallelism)
	for i := range n {
		g.Go(func() error {
			campaign := benchCampaign(organization, botName(i, bots), i)
			campaign.ID = builder.NewObjectID()
			url := baseURL + builder.CampaignsPath(organization, botName(i, bots))
			if err := postJSON(ctx, hc, url, tokens.Token, campaign, http.StatusCreated, nil); err != nil {
				return fmt.Errorf("create campaign %d: %w", i, err)
			}
			return nil
		})
	}
	err := g.Wait()
	return time.Since(started), err
}

func postJSON(ctx context.Context, hc *http.Client, url, token string, body any, wantStatus int, answer any) error {
	data, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(data))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set(builder.HeaderAuthorization, "Bearer "+token)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != wantStatus {
		text, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("status %d: %s", resp.StatusCode, text)
	}
	if answer != nil {
		return json.NewDecoder(resp.Body).Decode(answer)
	}
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}

// benchCampaign is the campaign the HCL of the apply scenarios declares for
// index i, so the floor sends the same bodies as the provider.
func benchCampaign(organization, bot string, i int) builder.Campaign {
	s := func(v string) *string { return &v }
	return builder.Campaign{
		Organization:  s(organization),
		BotName:       s(bot),
		CampaignName:  s(fmt.Sprintf("campaign-%d", i)),
		Description:   s(fmt.Sprintf("benchmark campaign %d", i)),
		Content:       s(fmt.Sprintf("Olá! Mensagem %d", i)),
		ScheduledDate: s(benchSchedule),
	}
}

func botName(i, bots int) string { return fmt.Sprintf("bot-%d", i%bots) }
