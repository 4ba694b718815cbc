package builder

// The one place for the wire format, shared with the emulator; ../CONTRACT.md says what is assumed.

import "net/url"

const (
	PathLogin              = "/login"            // user and password for a token pair (path ASSUMED)
	PathRefresh            = "/refresh"          // a refresh token for a new pair (ASSUMED)
	PathTrigger            = "/trigger"          // fires a trigger ("acionamento") (path ASSUMED)
	QueryAPIKey            = "apikey"            // the triggers' API key
	HeaderAuthorization    = "Authorization"     // "Bearer <token>" for campaign operations
	DetailNotAuthenticated = "Not authenticated" // FastAPI's 403 for a missing token: a 401
)

// Campaign statuses, from the seed's enumeration.
const (
	StatusNotStarted = "not_started"
	StatusInProgress = "in_progress"
	StatusConcluded  = "concluded"
	StatusError      = "error"
)

// A bot's list is paged by skip and limit (ASSUMED: FastAPI's common paging).
const (
	QuerySkip  = "skip"
	QueryLimit = "limit"
	ListLimit  = 100
)

// EnvelopeTotalKeys may count the whole list in an envelope ({"items": [...], "total": n}).
var EnvelopeTotalKeys = []string{"total", "count"}

// CampaignsPath is a bot's collection: /campaign/{organization_name}/{bot_name} (ASSUMED).
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

// Spellings other servers may print (read, never sent): "id", and Mongo's {"$oid": "..."}.
const (
	FieldCampaignAltID = "id"
	FieldMongoObjectID = "$oid"
)

// EnvelopeKeys may wrap a list answer (or one campaign) instead of a bare one.
var EnvelopeKeys = []string{"data", "items", "results", "campaigns"}

// tokensAnswer is Tokens also read under OAuth2's "access_token" (FastAPI's security helpers).
type tokensAnswer struct {
	Tokens
	AccessToken string `json:"access_token"`
}

// Campaign is a campaign action as the seed defines it; pointers keep "absent" and "empty" apart.
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

	Problems []string `json:"-"` // what reading the answer changed or dropped, for a warning; never sent
}

// replacementOf is an update's body: every user field, null when unset, so that a server that replaces
// the document and one that $sets what it is sent both clear it; server fields left out. nullFree is the
// body for a server that refuses null (pydantic v1): "", [] (read back as null), a timestamp left out.
// nulls tells whether a field was unset.
func replacementOf(c Campaign, nullFree bool) (body map[string]any, nulls bool) {
	body = map[string]any{FieldCampaignID: c.ID}
	for _, f := range CampaignFields {
		value := f.Value(&c)
		switch {
		case f.Role == RoleServer:
			continue
		case value != nil || !nullFree:
			body[f.Key] = value
		case f.Kind == KindList:
			body[f.Key] = []string{}
		case f.Kind == KindText:
			body[f.Key] = ""
		}
		nulls = nulls || value == nil
	}
	return body, nulls
}

// TriggerRequest is the body of a trigger fire: any JSON object under "json".
type TriggerRequest struct {
	JSON any `json:"json"`
}

// Fields of a trigger read (ASSUMED: the sample is {}, so all are optional and the raw JSON is kept).
const (
	FieldTriggerJSON      = "json"
	FieldTriggerStatus    = "status"
	FieldTriggerCreatedAt = "created_at"
	TriggerStatusSent     = "sent"
)

// Keys of a fire answer that is an object, not a bare id (ASSUMED: the sample is 0).
const (
	FieldTriggerID       = "id"
	FieldTriggerObjectID = "_id"
)
