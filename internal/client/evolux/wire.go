package evolux

import "net/url"

// The one place that knows the Evolux wire format, shared with the emulator (../CONTRACT.md).

const (
	PathSubscribers = "/api/v1/reports/campaign/subscribers" // the campaign subscribers report

	// Query parameters, from the seed.
	QueryPhoneNumber            = "phone_number"
	QueryName                   = "name"
	QueryState                  = "state"
	QueryTemplateUUID           = "template_uuid"
	QueryCampaigns              = "campaigns[]"
	QueryStart                  = "start"
	QueryEnd                    = "end"
	QueryTimezone               = "timezone"
	QueryConversationFieldKey   = "conversation_field_key"
	QueryConversationFieldValue = "conversation_field_value"

	DefaultTimezone     = "America/Sao_Paulo" // the API's own default
	HeaderAuthorization = "Authorization"     // "Bearer <token>"
)

// States are the subscriber states the seed lists, in its order.
var States = []string{"pending", "scheduled", "sent", "dnd", "completed", "error"}

// The envelope (ASSUMED, after Evolux's older v1 API) and the emulator's own paging.
const (
	FieldData       = "data"
	FieldPagination = "pagination"
	FieldNextURL    = "next_url"
	FieldTotal      = "total"
	FieldMeta       = "meta"
	FieldMessage    = "message"
	FieldStatus     = "status" // the HTTP status in an error's "meta": {"meta": {"status": 400, "message": "..."}}
	QueryPage       = "page"
	QueryPerPage    = "per_page"
	FieldPage       = "page"
	FieldPerPage    = "per_page"
	FieldLastURL    = "last_url"
	MaxPageSize     = 50
	DefaultPageSize = 50
)

// Someone else's paging, read tolerantly: records, then paging fields in PagingObjects, then at the top level.
var (
	RecordsFields    = []string{FieldData, "results", "items"}
	PagingObjects    = []string{FieldPagination, "links", FieldMeta}
	NextURLFields    = []string{FieldNextURL, "next", "next_page_url", "nextUrl"}
	LastURLFields    = []string{FieldLastURL, "last", "last_page_url", "lastUrl"}
	TotalFields      = []string{FieldTotal, "total_count", "total_items", "totalCount", "totalItems", "count"}
	PageSizeFields   = []string{FieldPerPage, "limit", "page_size", "pageSize", "perPage"}
	PageQueryNames   = []string{QueryPage, "p", "page_number", "pageNumber", "page_no", "pageNo", "pg", "pagina"}
	OffsetQueryNames = []string{"offset", "start", "skip", "from"}
	SizeQueryNames   = []string{QueryPerPage, "limit", "count", "size", "page_size", "pageSize", "perPage", "take"}
)

// Record fields (ASSUMED): campaign and template may be objects holding FieldUUID.
const (
	FieldName               = "name"
	FieldPhoneNumber        = "phone_number"
	FieldState              = "state"
	FieldCampaignUUID       = "campaign_uuid"
	FieldCampaign           = "campaign"
	FieldTemplateUUID       = "template_uuid"
	FieldTemplate           = "template"
	FieldUUID               = "uuid"
	FieldCreatedAt          = "created_at"
	FieldConversationFields = "conversation_fields"
)

// The write side (documented: "API - Campanha - Importando múltiplos assinantes de uma campanha"): a form-data
// upload of a CSV under FormFile, columns ColumnName, ColumnPhone, then ColumnParameter1, 2, … (one per template
// parameter, in order), then custom data. The answer and when the upload is processed are ASSUMED (../CONTRACT.md).
const (
	FormFile        = "file"
	ColumnName      = "name"
	ColumnPhone     = "phone"
	ColumnParameter = "parameter" // followed by its number, from 1
	CSVMediaType    = "text/csv"
	MaxUploadBytes  = 50 << 20 // documented: at most 50 MB, uploaded within 30 s
)

// CampaignSubscribersPath is where a campaign's subscribers are uploaded.
func CampaignSubscribersPath(campaignUUID string) string {
	return "/api/v1/campaign/" + url.PathEscape(campaignUUID) + "/subscribers"
}

// TaskPath is where the emulator's UploadTask dialect shows an upload's task (ASSUMED, after Evolux's dialer API;
// the client does not read it: it waits for the report).
func TaskPath(id string) string { return "/api/v1/tasks/" + url.PathEscape(id) }
