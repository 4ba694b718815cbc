package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"

	"github.com/campaignops/terraform-provider-campaigns/internal/client/builder"
)

// Dialect names a plausible variant of the Builder contract (FastAPI, pydantic v1 or MongoDB defaults, a gateway):
// it changes how answers are spelled and where routes live, not what is stored or refused (except put-merges and
// server-ids). Evolux is the same under every dialect.
type Dialect string

// The dialects; the presets at the end stack several at once.
const (
	DialectReference          Dialect = "reference"
	DialectNaiveTimestamps    Dialect = "naive-timestamps"
	DialectSpaceTimestamps    Dialect = "space-timestamps"
	DialectMongoExtendedJSON  Dialect = "mongo-extended-json"
	DialectOmitNulls          Dialect = "omit-nulls"
	DialectExplicitNulls      Dialect = "explicit-nulls"
	DialectExtraFields        Dialect = "extra-fields"
	DialectListSummaries      Dialect = "list-summaries"
	DialectCreated200         Dialect = "created-200"
	DialectWriteAnswersIDOnly Dialect = "write-answers-id-only"
	DialectWriteAnswersNull   Dialect = "write-answers-null"
	DialectListEnvelope       Dialect = "list-envelope"
	DialectIDAlias            Dialect = "id-alias"
	DialectPathPrefix         Dialect = "path-prefix"
	DialectTrailingSlash      Dialect = "trailing-slash"
	DialectDelete204          Dialect = "delete-204"
	DialectDeleteDocument     Dialect = "delete-document"
	DialectDeleteEmpty        Dialect = "delete-empty"
	DialectTriggerIDString    Dialect = "trigger-id-string"
	DialectTriggerIDObject    Dialect = "trigger-id-object"
	DialectDetailList         Dialect = "detail-list"
	DialectDetailObject       Dialect = "detail-object"
	DialectGatewayTextErrors  Dialect = "gateway-text-errors"
	DialectPutMerges          Dialect = "put-merges"
	DialectServerIDs          Dialect = "server-ids"
	DialectNullsRefused       Dialect = "nulls-refused"
	DialectReadNull           Dialect = "read-null"
	DialectListUnpaged        Dialect = "list-unpaged"
	DialectListCapped         Dialect = "list-capped"
	DialectEchoCredentials    Dialect = "echo-credentials"
	DialectPydanticV1         Dialect = "pydantic-v1"
	DialectGateway            Dialect = "gateway"
)

// VendorPathPrefix is where DialectPathPrefix serves the Builder API, as the vendor publishes it.
const VendorPathPrefix = "/apicampanha"

// OpRedirect counts DialectTrailingSlash's 307s; the repeated request counts again under its operation.
const OpRedirect Op = "builder.redirect"

type dialectInfo struct {
	name        Dialect
	description string
	group       string    // two dialects of a group spell the same thing differently: they do not combine
	preset      []Dialect // what a preset stands for
}

var dialectTable = []dialectInfo{
	{DialectReference, "the emulator's own reading of the seed (the default)", "", nil},
	{DialectNaiveTimestamps, "creation_date, scheduled_date and created_at as naive UTC with microseconds (2026-11-23T15:46:15.852309), as pymongo and pydantic v1 print them", "timestamps", nil},
	{DialectSpaceTimestamps, "timestamps as str(datetime) (2026-11-23 15:46:15+00:00); scheduled_date re-spelled in another offset, same instant", "timestamps", nil},
	{DialectMongoExtendedJSON, `ids as {"$oid": "..."} and timestamps as {"$date": "...Z"} (MongoDB extended JSON)`, "timestamps", nil},
	{DialectOmitNulls, "null fields left out, empty lists kept (response_model_exclude_none)", "nulls", nil},
	{DialectExplicitNulls, "every field of the model present in answers, null when unset", "nulls", nil},
	{DialectExtraFields, "undocumented fields in answers (__v, updated_at, a nested object, an array; token_type and expires_in at login)", "", nil},
	{DialectListSummaries, "the campaign list answers summaries only (_id, campaign_name, status, organization, bot_name)", "", nil},
	{DialectCreated200, "a campaign create answers 200 instead of 201", "", nil},
	{DialectWriteAnswersIDOnly, `campaign create and update answer 200 {"_id": "..."} only`, "write-answer", nil},
	{DialectWriteAnswersNull, "campaign create and update answer null (a handler that returns nothing), with their usual status", "write-answer", nil},
	{DialectListEnvelope, `the campaign list answers {"items": [...], "total": n} instead of a bare array`, "", nil},
	{DialectIDAlias, "answers spell the campaign id \"id\" instead of \"_id\"; requests may carry either", "", nil},
	{DialectPathPrefix, "every Builder path under " + VendorPathPrefix + " (use BuilderURL); unprefixed Builder requests get 404; Evolux unchanged", "", nil},
	{DialectTrailingSlash, "collection routes (/campaign/{org}/{bot}/, /trigger/) end with a slash; other spellings get FastAPI's 307 redirect", "", nil},
	{DialectDelete204, "a campaign delete answers 204 with no body", "delete", nil},
	{DialectDeleteDocument, "a campaign delete answers 200 with the deleted document", "delete", nil},
	{DialectDeleteEmpty, "a campaign delete answers 200 with an empty body", "delete", nil},
	{DialectTriggerIDString, `a trigger fire answers its id as a JSON string ("17"); trigger reads spell it so too`, "trigger-id", nil},
	{DialectTriggerIDObject, `a trigger fire answers {"_id": "<ObjectId>"}; triggers are read by that ObjectId`, "trigger-id", nil},
	{DialectDetailList, "every error detail is a list of {loc, msg, type}, 401, 403, 404 and 409 included", "detail", nil},
	{DialectDetailObject, `every error detail other than 422 is an object {"code": status, "message": "..."}`, "detail", nil},
	{DialectGatewayTextErrors, "404 as a gateway's HTML page (quoting the request URL) and 5xx as text/plain", "", nil},
	{DialectServerIDs, "a campaign create ignores the _id it is sent and makes its own (a create model without _id: MongoDB makes the id), so a repeated POST is a second campaign", "", nil},
	{DialectReadNull, "a read of a campaign or trigger that does not exist answers 200 null (a handler that returns find_one's None) instead of 404", "", nil},
	{DialectNullsRefused, "a campaign field sent as null is refused with 422 none.not_allowed (pydantic v1: a field whose default is not None is not Optional)", "", nil},
	{DialectListUnpaged, "the campaign list ignores skip and limit and answers every campaign at once (a handler that returns list(find(...)))", "list-paging", nil},
	{DialectListCapped, "the campaign list ignores skip and limit and answers at most the first 100 campaigns (Motor's to_list(length=100)): a longer list cannot be read whole", "list-paging", nil},
	{DialectEchoCredentials, `answers that are JSON objects, and each Evolux record, echo the request's credentials in an undocumented "request" field (its URL with the apikey, its Authorization header)`, "", nil},
	{DialectPutMerges, `a campaign update sets only the fields its body names (update_one with {"$set": body.dict(exclude_unset=True)}): a field left out keeps its stored value, null clears it`, "", nil},
	{DialectPydanticV1, "preset: naive-timestamps, explicit-nulls and created-200, FastAPI with pydantic v1 and pymongo left at their defaults", "", []Dialect{DialectNaiveTimestamps, DialectExplicitNulls, DialectCreated200}},
	{DialectGateway, "preset: path-prefix, trailing-slash and gateway-text-errors, the API behind the vendor's gateway", "", []Dialect{DialectPathPrefix, DialectTrailingSlash, DialectGatewayTextErrors}},
}

// info is d's row of dialectTable; ok is false for a name it does not list.
func (d Dialect) info() (info dialectInfo, ok bool) {
	i := slices.IndexFunc(dialectTable, func(info dialectInfo) bool { return info.name == d })
	if i < 0 {
		return dialectInfo{description: "unknown dialect"}, false
	}
	return dialectTable[i], true
}

// Dialects lists every named dialect, presets included, DialectReference first.
func Dialects() (out []Dialect) {
	for _, info := range dialectTable {
		out = append(out, info.name)
	}
	return out
}

// Description is one line saying what d changes, for -h and the README.
func (d Dialect) Description() string { info, _ := d.info(); return info.description }

// Group names the dialects that spell what d spells differently; "" when d combines with any.
func (d Dialect) Group() string { info, _ := d.info(); return info.group }

// Preset lists the dialects a preset stands for; nil for any other.
func (d Dialect) Preset() []Dialect { info, _ := d.info(); return slices.Clone(info.preset) }

// ParseDialects reads a comma-separated list such as -dialect's, blanks skipped; empty is the reference.
func ParseDialects(s string) ([]Dialect, error) {
	var out []Dialect
	for item := range strings.SplitSeq(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, Dialect(item))
		}
	}
	if _, err := resolveDialects(out); err != nil {
		return nil, err
	}
	return out, nil
}

// dialectSet is a resolved combination of dialects: presets expanded, the reference left out.
type dialectSet map[Dialect]bool

// resolveDialects expands presets and refuses unknown names and two dialects of one group.
func resolveDialects(list []Dialect) (dialectSet, error) {
	set := dialectSet{}
	var errs []error
	for _, d := range list {
		info, ok := d.info()
		if !ok {
			errs = append(errs, fmt.Errorf("unknown dialect %q: valid dialects are %s", d, strings.ReplaceAll(strings.Trim(fmt.Sprint(Dialects()), "[]"), " ", ", ")))
			continue
		}
		for _, atom := range append([]Dialect{d}, info.preset...) { // presets hold no presets
			if atom != DialectReference && atom.Preset() == nil {
				set[atom] = true
			}
		}
	}
	byGroup := map[string][]string{}
	for _, info := range dialectTable {
		if info.group != "" && set[info.name] {
			byGroup[info.group] = append(byGroup[info.group], string(info.name))
		}
	}
	for _, info := range dialectTable { // table order: stable messages
		if names := byGroup[info.group]; len(names) > 1 && names[0] == string(info.name) {
			errs = append(errs, fmt.Errorf("dialects %s cannot be combined: they spell the same thing differently", strings.Join(names, " and ")))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return set, nil
}

// builderPrefix is the path under which the Builder routes live.
func (d dialectSet) builderPrefix() string {
	if d[DialectPathPrefix] {
		return VendorPathPrefix
	}
	return ""
}

// BuilderURL is the base URL of the Builder API: URL plus the dialects' path prefix. Evolux stays at URL.
func (s *Server) BuilderURL() string { return s.url + s.dialects.builderPrefix() }

// routeMatch is where a request goes under the dialects.
type routeMatch struct {
	rt       *route
	params   pathParams
	allowed  []string // methods the path allows when the method is wrong
	service  service  // whose error shape an unrouted request gets
	redirect string   // Location of a 307 (DialectTrailingSlash)
}

// op is the request's counter: its route's, OpRedirect for a 307, OpUnknown for a 404 or 405.
func (m routeMatch) op() Op {
	switch {
	case m.redirect != "":
		return OpRedirect
	case m.rt != nil:
		return m.rt.op
	}
	return OpUnknown
}

// builderRoutes are the reference's Builder routes.
var builderRoutes = slices.DeleteFunc(slices.Clone(routes), func(rt route) bool { return rt.service != serviceBuilder })

// slashRoutes are DialectTrailingSlash's Builder routes: collections end in "/".
var slashRoutes = func() []route {
	slashed := slices.Clone(builderRoutes)
	for i, rt := range slashed {
		if slices.Contains([]Op{OpCampaignCreate, OpCampaignList, OpTriggerFire}, rt.op) {
			slashed[i].segments = append(slices.Clone(rt.segments), "")
		}
	}
	return slashed
}()

// match routes r: Evolux paths as in the reference; Builder paths may live under a prefix or end with a slash.
func (d dialectSet) match(r *http.Request) routeMatch {
	if strings.HasPrefix(r.URL.Path, evoluxRoot) {
		rt, params, allowed := matchIn(routes, r.Method, r.URL.Path)
		return routeMatch{rt: rt, params: params, allowed: allowed, service: serviceEvolux}
	}
	m, prefix, table := routeMatch{service: serviceBuilder}, d.builderPrefix(), builderRoutes
	path, ok := strings.CutPrefix(r.URL.Path, prefix)
	if !ok || !strings.HasPrefix(path, "/") {
		return m // the gateway knows nothing else: 404
	}
	if d[DialectTrailingSlash] {
		table = slashRoutes
	}
	m.rt, m.params, m.allowed = matchIn(table, r.Method, path)
	if m.rt != nil || len(m.allowed) > 0 || !d[DialectTrailingSlash] || path == "/" {
		return m
	}
	// Starlette's redirect_slashes: the path with the slash added or removed, if it matches, answers a 307 to it.
	escaped := strings.TrimPrefix(r.URL.EscapedPath(), prefix)
	other, otherEscaped := path+"/", escaped+"/"
	if strings.HasSuffix(path, "/") {
		other, otherEscaped = strings.TrimSuffix(path, "/"), strings.TrimSuffix(escaped, "/")
	}
	if rt, _, allowed := matchIn(table, r.Method, other); rt != nil || len(allowed) > 0 {
		m = routeMatch{service: serviceBuilder, redirect: "http://" + r.Host + prefix + otherEscaped}
		if r.URL.RawQuery != "" {
			m.redirect += "?" + r.URL.RawQuery
		}
	}
	return m
}

// answerWriter returns the writer a Builder answer goes through and the function that sends it: held, to re-spell
// errors or echo the request, under the dialects that do; else w itself and a no-op.
func (d dialectSet) answerWriter(w http.ResponseWriter, r *http.Request, svc service) (http.ResponseWriter, func()) {
	if svc != serviceBuilder || !(d[DialectDetailList] || d[DialectDetailObject] || d[DialectGatewayTextErrors] || d[DialectEchoCredentials]) {
		return w, func() {}
	}
	rec := httptest.ResponseRecorder{Body: new(bytes.Buffer)} // Code 0 until answered
	ew := &errorSpeller{ResponseRecorder: rec, w: w, dialects: d, request: r}
	return ew, ew.flush
}

// errorSpeller buffers one answer, its header excepted, so that it can be re-spelled before anything is sent.
type errorSpeller struct {
	httptest.ResponseRecorder
	w        http.ResponseWriter
	dialects dialectSet
	request  *http.Request
}

// Header is w's: only the status and the body are held.
func (s *errorSpeller) Header() http.Header { return s.w.Header() }

// Unwrap lets http.ResponseController reach the connection (a dropped connection fault hijacks it).
func (s *errorSpeller) Unwrap() http.ResponseWriter { return s.w }

func (s *errorSpeller) flush() {
	if s.Code == 0 {
		return // nothing answered: the connection was dropped
	}
	body := s.Body.Bytes()
	switch {
	case s.Code >= http.StatusBadRequest:
		body = s.respell(body)
	case s.dialects[DialectEchoCredentials] && bytes.HasPrefix(body, []byte("{")):
		body = withEcho(body, requestEcho(s.request, builder.HeaderAuthorization))
	}
	s.w.WriteHeader(s.Code)
	_, _ = s.w.Write(body)
}

// respell rewrites one error answer; the header is still unsent.
func (s *errorSpeller) respell(body []byte) []byte {
	d, status, header := s.dialects, s.Code, s.Header()
	if d[DialectGatewayTextErrors] && (status == http.StatusNotFound || status >= http.StatusInternalServerError) {
		if status == http.StatusNotFound {
			// Like many gateways, it quotes the whole request URL, apikey included: clients must scrub it.
			header.Set("Content-Type", "text/html; charset=iso-8859-1")
			return fmt.Appendf(nil, "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n<p>The requested URL %s was not found on this server.</p>\n</body></html>\n",
				html.EscapeString(s.request.URL.RequestURI()))
		}
		header.Set("Content-Type", "text/plain; charset=utf-8")
		return fmt.Appendf(nil, "upstream error: %d %s\n", status, http.StatusText(status))
	}
	if !(d[DialectDetailList] || d[DialectDetailObject]) || status == http.StatusUnprocessableEntity {
		return body
	}
	var answer struct {
		Detail *string `json:"detail"`
	}
	if json.Unmarshal(body, &answer) != nil || answer.Detail == nil { // the plain-text 500 of writeUnhandled too
		return body
	}
	var detail any = map[string]any{"code": status, "message": *answer.Detail}
	if d[DialectDetailList] {
		detail = []validationError{{Loc: s.errorLoc(), Msg: *answer.Detail, Type: "http_error"}}
	}
	out, _ := json.Marshal(fastAPIError{Detail: detail}) // maps and strings: it cannot fail
	return out
}

// errorLoc says where a non-validation error comes from, in the spirit of a 422's loc.
func (s *errorSpeller) errorLoc() []any {
	switch s.Code {
	case http.StatusUnauthorized, http.StatusForbidden:
		if s.request.URL.Query().Has(builder.QueryAPIKey) {
			return loc("query", builder.QueryAPIKey)
		}
		return loc("header", builder.HeaderAuthorization)
	case http.StatusConflict:
		return loc("body", builder.FieldCampaignStatus)
	case http.StatusNotFound, http.StatusMethodNotAllowed:
		return loc("path")
	}
	return loc("body")
}

// requestEcho is what DialectEchoCredentials adds to an answer, as a service that echoes its request does.
func requestEcho(r *http.Request, header string) []byte {
	echo, _ := json.Marshal(map[string]string{"url": r.URL.RequestURI(), "authorization": r.Header.Get(header)})
	return echo
}

// withEcho adds echo to a JSON object (not an empty one) as its "request".
func withEcho(object, echo []byte) []byte {
	if len(object) < 3 || object[len(object)-1] != '}' {
		return object
	}
	return append(append(append(object[:len(object)-1], `,"request":`...), echo...), '}')
}
