package builder

// This file is the one place that knows the Builder wire format: paths,
// query parameters and JSON field names. The emulator serves the same
// constants, so a change to the real specification is a change here only.
// ../CONTRACT.md marks what the vendor documents and what is assumed.

import (
	"maps"
	"net/url"
)

const (
	// PathLogin exchanges user and password for a token pair (path ASSUMED).
	PathLogin = "/login"
	// PathRefresh exchanges a refresh token for a new pair (ASSUMED).
	PathRefresh = "/refresh"
	// PathTrigger fires a trigger ("acionamento") with POST, authenticated by
	// the apikey query parameter (path ASSUMED).
	PathTrigger = "/trigger"
	// QueryAPIKey is the query parameter that carries the trigger API key.
	QueryAPIKey = "apikey"
	// HeaderAuthorization carries "Bearer <token>" for campaign operations.
	HeaderAuthorization = "Authorization"
	// DetailNotAuthenticated is FastAPI's 403 detail when the bearer token is
	// missing; it means the same as a 401.
	DetailNotAuthenticated = "Not authenticated"
)

// Campaign statuses, from the seed's enumeration.
const (
	StatusNotStarted = "not_started"
	StatusInProgress = "in_progress"
	StatusConcluded  = "concluded"
	StatusError      = "error"
)

// A bot's list takes skip and limit (ASSUMED: FastAPI list endpoints
// commonly do, with limit defaulting to 100; a server without paging
// ignores them). The client asks for ListLimit at a time.
const (
	QuerySkip  = "skip"
	QueryLimit = "limit"
	ListLimit  = 100
)

// EnvelopeTotalKeys name the count of the whole list in an envelope
// ({"items": [...], "total": n}), when a server gives one.
var EnvelopeTotalKeys = []string{"total", "count"}

// CampaignsPath is the collection of one organization's bot:
// /campaign/{organization_name}/{bot_name} (ASSUMED).
func CampaignsPath(organization, bot string) string {
	return "/campaign/" + url.PathEscape(organization) + "/" + url.PathEscape(bot)
}

// CampaignPath is one campaign: /campaign/{organization_name}/{bot_name}/{id} (ASSUMED).
func CampaignPath(organization, bot, id string) string {
	return CampaignsPath(organization, bot) + "/" + url.PathEscape(id)
}

// TriggerPath is one fired trigger: /trigger/{id} (ASSUMED).
func TriggerPath(id string) string {
	return PathTrigger + "/" + url.PathEscape(id)
}

// LoginRequest is the body of PathLogin.
type LoginRequest struct {
	User     string `json:"user"`
	Password string `json:"password"`
}

// RefreshRequest is the body of PathRefresh.
type RefreshRequest struct {
	RefreshToken string `json:"refresh_token"`
}

// Tokens is the answer of PathLogin and PathRefresh.
type Tokens struct {
	Token        string `json:"token"`
	RefreshToken string `json:"refresh_token"`
}

// JSON field names of a campaign document, as in Campaign's tags.
const (
	FieldCampaignID            = "_id"
	FieldCampaignOrganization  = "organization"
	FieldCampaignScheduledDate = "scheduled_date"
	FieldCampaignCampaignName  = "campaign_name"
	FieldCampaignStatus        = "status"
	FieldCampaignBotName       = "bot_name"
	FieldCampaignCreationDate  = "creation_date"
	FieldCampaignDescription   = "description"
	FieldCampaignName          = "name"
	FieldCampaignFile          = "file"
	FieldCampaignContent       = "content"
	FieldCampaignSheetValues   = "sheet_values"
	FieldCampaignLogFile       = "log_file"
)

// Readings of the same contract that other servers may print (tolerated,
// never sent): the id as "id" instead of "_id", an ObjectId in Mongo's
// extended JSON ({"$oid": "..."}), and answers wrapped in an envelope.
const (
	FieldCampaignAltID = "id"
	FieldMongoObjectID = "$oid"
)

// EnvelopeKeys are the keys under which a gateway or another framework may
// wrap a list answer (or a single campaign) instead of answering it bare.
var EnvelopeKeys = []string{"data", "items", "results", "campaigns"}

// tokensAnswer is Tokens as a server may also spell it: the token under
// OAuth2's "access_token", which FastAPI's security helpers answer
// (tolerated, never served).
type tokensAnswer struct {
	Tokens
	AccessToken string `json:"access_token"`
}

// Campaign is a campaign action as the seed defines it. Optional fields are
// pointers so that "absent" and "empty" stay distinct on the wire. An update
// sends it as a campaignReplacement, every user field present.
type Campaign struct {
	ID            string   `json:"_id"`
	Organization  *string  `json:"organization,omitempty"`
	ScheduledDate *string  `json:"scheduled_date,omitempty"`
	CampaignName  *string  `json:"campaign_name,omitempty"`
	Status        *string  `json:"status,omitempty"`
	BotName       *string  `json:"bot_name,omitempty"`
	CreationDate  *string  `json:"creation_date,omitempty"`
	Description   *string  `json:"description,omitempty"`
	Name          *string  `json:"name,omitempty"`
	File          *string  `json:"file,omitempty"`
	Content       *string  `json:"content,omitempty"`
	SheetValues   []string `json:"sheet_values,omitempty"`
	LogFile       *string  `json:"log_file,omitempty"`

	// Problems are what the client changed or dropped while reading the
	// server's answer (a value of an unexpected type or format), for the
	// provider to show as warnings. Never sent, never encoded.
	Problems []string `json:"-"`
}

// campaignReplacement is the body of an update: the whole campaign, with
// every field the user writes present, null when unset and [] when empty.
// A server that replaces the document and one that sets only the fields it
// is sent (update_one with $set, a common way to write the handler) then
// both clear what the user removed; leaving it out would clear it on the
// first and keep it on the second, an update planned again on every apply.
// The server-managed fields are left out: the server owns them.
type campaignReplacement map[string]any

func replacementOf(c Campaign) campaignReplacement {
	body := campaignReplacement{FieldCampaignID: c.ID}
	for _, f := range CampaignFields {
		if f.Role != RoleServer {
			body[f.Key] = f.Value(&c)
		}
	}
	return body
}

// hasNulls tells whether the replacement sends any user field as null.
func (r campaignReplacement) hasNulls() bool {
	for _, v := range r {
		if v == nil {
			return true
		}
	}
	return false
}

// withoutNulls is the replacement for a server that refuses null: a text
// field cleared is sent as "" and a list as [], which clears it whether the
// server replaces the document or sets only the fields it is sent (and reads
// back as empty, which is null to the provider); a timestamp, which cannot
// be empty, is left out.
func (r campaignReplacement) withoutNulls() campaignReplacement {
	body := maps.Clone(r)
	for _, f := range CampaignFields {
		switch value, sent := body[f.Key]; {
		case !sent || value != nil:
		case f.Kind == KindTimestamp:
			delete(body, f.Key)
		case f.Kind == KindList:
			body[f.Key] = []string{}
		default:
			body[f.Key] = ""
		}
	}
	return body
}

// TriggerRequest is the body of a trigger fire: any JSON object under "json".
type TriggerRequest struct {
	JSON any `json:"json"`
}

// Fields of a trigger read (GET TriggerPath) besides FieldTriggerID, as the
// emulator answers it (ASSUMED: the seed's sample is an empty object, so
// clients keep the raw JSON and treat every field as optional).
const (
	FieldTriggerJSON      = "json"
	FieldTriggerStatus    = "status"
	FieldTriggerCreatedAt = "created_at"
	TriggerStatusSent     = "sent"
)

// Keys of a trigger fire answer that is an object rather than a bare id
// (ASSUMED: the seed's sample answer is the bare number 0).
const (
	FieldTriggerID       = "id"
	FieldTriggerObjectID = "_id"
)
