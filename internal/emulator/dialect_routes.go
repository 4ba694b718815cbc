package emulator

import (
	"net/http"
	"slices"
	"strings"
)

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

// builderRoutes are the reference's Builder routes; slashRoutes DialectTrailingSlash's, collections ending in "/".
var builderRoutes, slashRoutes = func() ([]route, []route) {
	var plain, slashed []route
	for _, rt := range routes {
		if rt.service != serviceBuilder {
			continue
		}
		plain = append(plain, rt)
		if slices.Contains([]Op{OpCampaignCreate, OpCampaignList, OpTriggerFire}, rt.op) {
			rt.segments = append(slices.Clone(rt.segments), "")
		}
		slashed = append(slashed, rt)
	}
	return plain, slashed
}()

// match routes r: Evolux paths as in the reference; Builder paths may live under a prefix or end with a slash.
func (d dialectSet) match(r *http.Request) routeMatch {
	path := r.URL.Path
	if strings.HasPrefix(path, evoluxRoot) {
		rt, params, allowed := matchIn(routes, r.Method, path)
		return routeMatch{rt: rt, params: params, allowed: allowed, service: serviceEvolux}
	}
	m := routeMatch{service: serviceBuilder}
	escaped := r.URL.EscapedPath()
	if prefix := d.builderPrefix(); prefix != "" {
		rest, ok := strings.CutPrefix(path, prefix)
		if !ok || !strings.HasPrefix(rest, "/") {
			return m // the gateway knows nothing else: 404
		}
		path = rest
		escaped = strings.TrimPrefix(escaped, prefix)
	}
	table := builderRoutes
	if d[DialectTrailingSlash] {
		table = slashRoutes
	}
	m.rt, m.params, m.allowed = matchIn(table, r.Method, path)
	if m.rt != nil || len(m.allowed) > 0 || !d[DialectTrailingSlash] || path == "/" {
		return m
	}
	// Starlette's redirect_slashes: the path with the slash added or removed, if it matches, answers a 307 to it.
	other, otherEscaped := path+"/", escaped+"/"
	if strings.HasSuffix(path, "/") {
		other, otherEscaped = strings.TrimSuffix(path, "/"), strings.TrimSuffix(escaped, "/")
	}
	if rt, _, allowed := matchIn(table, r.Method, other); rt != nil || len(allowed) > 0 {
		location := "http://" + r.Host + d.builderPrefix() + otherEscaped
		if r.URL.RawQuery != "" {
			location += "?" + r.URL.RawQuery
		}
		return routeMatch{service: serviceBuilder, redirect: location}
	}
	return m
}

// writeRedirect is Starlette's RedirectResponse: 307 (the same method and body again), no body.
func writeRedirect(w http.ResponseWriter, location string) {
	w.Header().Set("Location", location)
	w.WriteHeader(http.StatusTemporaryRedirect)
}
