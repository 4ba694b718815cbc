package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"mime"
	"net/http"

	"github.com/campaignops/terraform-provider-campaigns/internal/client/builder"
)

// answerWriter returns the writer a Builder answer goes through and the function that sends it: held, to re-spell
// errors or echo the request, under the dialects that do; else w itself and a no-op.
func (d dialectSet) answerWriter(w http.ResponseWriter, r *http.Request, svc service) (http.ResponseWriter, func()) {
	if svc != serviceBuilder || !(d[DialectDetailList] || d[DialectDetailObject] || d[DialectGatewayTextErrors] || d[DialectEchoCredentials]) {
		return w, func() {}
	}
	ew := &errorSpeller{bufferedResponse: bufferedResponse{header: w.Header()}, w: w, dialects: d, request: r}
	return ew, ew.flush
}

// errorSpeller buffers one answer, its header excepted, so that it can be re-spelled before anything is sent.
type errorSpeller struct {
	bufferedResponse
	w        http.ResponseWriter
	dialects dialectSet
	request  *http.Request
}

// Unwrap lets http.ResponseController reach the connection (a dropped connection fault hijacks it).
func (s *errorSpeller) Unwrap() http.ResponseWriter { return s.w }

func (s *errorSpeller) flush() {
	if s.status == 0 {
		return // nothing answered: the connection was dropped
	}
	body := s.body.Bytes()
	switch {
	case s.status >= http.StatusBadRequest:
		body = s.respell(body)
	case s.dialects[DialectEchoCredentials] && bytes.HasPrefix(body, []byte("{")):
		s.Header().Del("Content-Length")
		body = withEcho(body, requestEcho(s.request, builder.HeaderAuthorization))
	}
	s.w.WriteHeader(s.status)
	_, _ = s.w.Write(body)
}

// respell rewrites one error answer; the header is still unsent.
func (s *errorSpeller) respell(body []byte) []byte {
	d, status, header := s.dialects, s.status, s.Header()
	if d[DialectGatewayTextErrors] && (status == http.StatusNotFound || status >= http.StatusInternalServerError) {
		header.Del("Content-Length")
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
	if mediaType, _, _ := mime.ParseMediaType(header.Get("Content-Type")); mediaType != "application/json" {
		return body
	}
	var answer struct {
		Detail *string `json:"detail"`
	}
	if json.Unmarshal(body, &answer) != nil || answer.Detail == nil {
		return body
	}
	var detail any = map[string]any{"code": status, "message": *answer.Detail}
	if d[DialectDetailList] {
		detail = []validationError{{Loc: s.errorLoc(), Msg: *answer.Detail, Type: "http_error"}}
	}
	out, err := json.Marshal(fastAPIError{Detail: detail})
	if err != nil {
		panic("emulator: encode error: " + err.Error())
	}
	return out
}

// errorLoc says where a non-validation error comes from, in the spirit of a 422's loc.
func (s *errorSpeller) errorLoc() []any {
	switch s.status {
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
