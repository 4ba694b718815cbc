package evolux

// This file is the one place that knows the Evolux wire format. The emulator
// serves the same constants. The response body is undocumented (assumed):
// see ../CONTRACT.md.

const (
	// PathSubscribers is the campaign subscribers report.
	PathSubscribers = "/api/v1/reports/campaign/subscribers"

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

	// DefaultTimezone is the API's own default.
	DefaultTimezone = "America/Sao_Paulo"

	// HeaderAuthorization carries "Bearer <token>".
	HeaderAuthorization = "Authorization"
)

// States are the subscriber states the seed lists, in its order.
var States = []string{"pending", "scheduled", "sent", "dnd", "completed", "error"}

// Envelope field names of the paged shape (ASSUMED, after Evolux's older v1 API).
const (
	FieldData       = "data"
	FieldPagination = "pagination"
	FieldNextURL    = "next_url"
	FieldTotal      = "total"
	FieldMeta       = "meta"
	FieldMessage    = "message"
)

// Paging of the envelope shape (ASSUMED): the emulator pages with these query
// parameters and reports them back under "pagination", so a client that sees
// "page", "per_page" and "total" can predict the remaining pages.
const (
	QueryPage       = "page"
	QueryPerPage    = "per_page"
	FieldPage       = "page"
	FieldPerPage    = "per_page"
	FieldLastURL    = "last_url"
	MaxPageSize     = 50
	DefaultPageSize = 50
)

// What a tolerant reader accepts of someone else's paging (PRODUCT.md: the
// envelope is undocumented). Paging fields are looked for in these objects
// of the envelope, in this order, then at its top level; each field under
// any of its names. Evolux's older v1 API sends "pagination" with total,
// limit, items, current_url, first_url, last_url, next_url and prev_url.
var (
	// RecordsFields are the envelope members that may hold the records,
	// most preferred first: "data" (Evolux's older v1 API), "results"
	// (Django REST framework's pagination), "items". "data" must be an array
	// (or null); a member of the other names that is not one is some other
	// field (a page's item count) and is ignored.
	RecordsFields = []string{FieldData, "results", "items"}

	PagingObjects  = []string{FieldPagination, "links", FieldMeta}
	NextURLFields  = []string{FieldNextURL, "next", "next_page_url", "nextUrl"}
	LastURLFields  = []string{FieldLastURL, "last", "last_page_url", "lastUrl"}
	TotalFields    = []string{FieldTotal, "total_count", "total_items", "totalCount", "totalItems", "count"}
	PageSizeFields = []string{FieldPerPage, "limit", "page_size", "pageSize", "perPage"}
)

// Query parameters by which servers commonly number their pages or offsets;
// a name only breaks ties, the values decide (see paging.go).
var (
	PageQueryNames   = []string{QueryPage, "p", "page_number", "pageNumber", "page_no", "pageNo", "pg", "pagina"}
	OffsetQueryNames = []string{"offset", "start", "skip", "from"}
	SizeQueryNames   = []string{QueryPerPage, "limit", "count", "size", "page_size", "pageSize", "perPage", "take"}
)

// FieldStatus is the HTTP status inside an error's "meta" object:
// {"meta": {"status": 400, "message": "..."}} (ASSUMED).
const FieldStatus = "status"

// Record fields (ASSUMED: the seed does not show the record shape). The
// campaign and template may also be nested objects holding FieldUUID.
const (
	FieldName         = "name"
	FieldPhoneNumber  = "phone_number"
	FieldState        = "state"
	FieldCampaignUUID = "campaign_uuid"
	FieldCampaign     = "campaign"
	FieldTemplateUUID = "template_uuid"
	FieldTemplate     = "template"
	FieldUUID         = "uuid"
	FieldCreatedAt    = "created_at"
)

// FieldConversationFields holds a record's custom conversation fields, an
// object of names to values (ASSUMED), matched by QueryConversationFieldKey
// and QueryConversationFieldValue.
const FieldConversationFields = "conversation_fields"
