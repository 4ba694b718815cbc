package emulator

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/campaignops/terraform-provider-campaigns/internal/client/builder"
	"github.com/campaignops/terraform-provider-campaigns/internal/client/evolux"
)

// service says whose error shape a route answers with.
type service int

const (
	serviceBuilder service = iota // FastAPI: {"detail": ...}
	serviceEvolux                 // {"meta": {"status", "message"}}
)

type pathParams map[string]string

type route struct {
	method   string
	op       Op
	service  service
	segments []string // "{name}" matches one non-empty segment
	handle   func(e *Emulator, w http.ResponseWriter, r *http.Request, p pathParams)
}

const ( // path parameters
	paramOrganization = "organization"
	paramBot          = "bot"
	paramID           = "id"
	paramCampaign     = "campaign"
)

// routes are built from wire.go's path functions called with "{name}" placeholders: a path change moves them too.
var routes = func() []route {
	placeholder := func(name string) string { return "{" + name + "}" }
	campaigns := builder.CampaignsPath(placeholder(paramOrganization), placeholder(paramBot))
	campaign := builder.CampaignPath(placeholder(paramOrganization), placeholder(paramBot), placeholder(paramID))
	trigger := builder.TriggerPath(placeholder(paramID))
	return []route{
		{http.MethodPost, OpLogin, serviceBuilder, templateSegments(builder.PathLogin), (*Emulator).login},
		{http.MethodPost, OpRefresh, serviceBuilder, templateSegments(builder.PathRefresh), (*Emulator).refresh},
		{http.MethodPost, OpCampaignCreate, serviceBuilder, templateSegments(campaigns), (*Emulator).createCampaign},
		{http.MethodGet, OpCampaignList, serviceBuilder, templateSegments(campaigns), (*Emulator).listCampaigns},
		{http.MethodGet, OpCampaignRead, serviceBuilder, templateSegments(campaign), (*Emulator).readCampaign},
		{http.MethodPut, OpCampaignUpdate, serviceBuilder, templateSegments(campaign), (*Emulator).updateCampaign},
		{http.MethodDelete, OpCampaignDelete, serviceBuilder, templateSegments(campaign), (*Emulator).deleteCampaign},
		{http.MethodPost, OpTriggerFire, serviceBuilder, templateSegments(builder.PathTrigger), (*Emulator).fireTrigger},
		{http.MethodGet, OpTriggerRead, serviceBuilder, templateSegments(trigger), (*Emulator).readTrigger},
		{http.MethodGet, OpEvoluxSubscribers, serviceEvolux, templateSegments(evolux.PathSubscribers), (*Emulator).subscribersReport},
		{http.MethodPost, OpEvoluxInsert, serviceEvolux, templateSegments(evolux.CampaignSubscribersPath(placeholder(paramCampaign))),
			(*Emulator).insertSubscribers},
		{http.MethodGet, OpEvoluxTask, serviceEvolux, templateSegments(evolux.TaskPath(placeholder(paramID))), (*Emulator).readTask},
	}
}()

// evoluxRoot is the Evolux API's first path segment ("/api/"): unknown paths under it answer in its error shape.
var evoluxRoot = "/" + templateSegments(evolux.PathSubscribers)[0] + "/"

func templateSegments(path string) []string {
	unescaped, err := url.PathUnescape(path)
	if err != nil {
		panic("emulator: bad wire path " + path)
	}
	return splitPath(unescaped)
}

func splitPath(path string) []string { return strings.Split(strings.TrimPrefix(path, "/"), "/") }

// matchIn finds the route of a method and a decoded path (as uvicorn: an escaped "/" splits a segment) in table;
// allowed lists the methods of a path that matches with another method.
func matchIn(table []route, method, path string) (rt *route, params pathParams, allowed []string) {
	if method == http.MethodHead {
		method = http.MethodGet // Starlette serves HEAD wherever it serves GET
	}
	segments := splitPath(path)
	for i := range table {
		p, ok := matchSegments(table[i].segments, segments)
		if !ok {
			continue
		}
		if table[i].method == method {
			return &table[i], p, nil
		}
		if !slices.Contains(allowed, table[i].method) {
			allowed = append(allowed, table[i].method)
		}
	}
	return nil, nil, allowed
}

func matchSegments(template, segments []string) (pathParams, bool) {
	if len(template) != len(segments) {
		return nil, false
	}
	params := pathParams{}
	for i, t := range template {
		name := strings.TrimSuffix(strings.TrimPrefix(t, "{"), "}")
		switch isParam := t == "{"+name+"}"; {
		case isParam && segments[i] != "":
			params[name] = segments[i]
		case isParam || t != segments[i]:
			return nil, false
		}
	}
	return params, true
}
