package builder

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"

	"github.com/campaignops/terraform-provider-campaigns/internal/client"
)

// FireTrigger fires a trigger, repeated only when it certainly did not run (connection refused, 429);
// when client.MayHaveBeenProcessed(err), it may have fired.
func (c *Client) FireTrigger(ctx context.Context, payload json.RawMessage) (string, error) {
	resp, err := c.http.Do(ctx, &client.Request{
		Operation: "fire trigger", Method: http.MethodPost, Path: PathTrigger, Query: url.Values{QueryAPIKey: {c.creds.APIKey}},
		Body: TriggerRequest{JSON: payload}, Policy: client.RetryOnlyIfNotProcessed,
	})
	if err != nil {
		return "", err
	}
	id, err := DecodeTriggerID(resp.Body)
	if err != nil {
		return "", c.unreadable("fire trigger", resp, err)
	}
	return id, nil
}

// GetTrigger reads a fired trigger as the server's JSON object (404: client.IsNotFound).
func (c *Client) GetTrigger(ctx context.Context, id string) (json.RawMessage, error) {
	resp, err := c.http.Do(ctx, &client.Request{
		Operation: "read trigger", Method: http.MethodGet, Path: TriggerPath(id), Query: url.Values{QueryAPIKey: {c.creds.APIKey}},
		Policy: client.RetryIdempotent,
	})
	if err != nil {
		return nil, err
	}
	if body := bytes.TrimSpace(resp.Body); len(body) == 0 || body[0] != '{' || !json.Valid(resp.Body) {
		return nil, c.unreadable("read trigger", resp, errors.New("expected a JSON object"))
	}
	// The answer goes to state: no API key or token a server echoes in it.
	return json.RawMessage(c.http.Secrets().Scrub(string(resp.Body))), nil
}
