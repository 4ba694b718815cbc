package evolux

// This file is the one place that knows the Evolux wire format. The emulator
// serves the same constants. The response body is undocumented (ASSUMED):
// see PRODUCT.md.

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
