package emulator

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestEvoluxPaging_everyDialectLinksEveryRecordOnce follows each dialect's
// own next link, wherever the dialect puts it, and gets the array answer's
// records, in order, once each; the dialect's paging members are the ones
// it documents.
func TestEvoluxPaging_everyDialectLinksEveryRecordOnce(t *testing.T) {
	const records, pageSize = 230, 50
	next := map[string]func(map[string]json.RawMessage) json.RawMessage{
		PagingPage:     nested("pagination", "next_url"),
		PagingV1:       nested("pagination", "next_url"),
		PagingOffset:   nested("links", "next"),
		PagingTotal:    func(m map[string]json.RawMessage) json.RawMessage { return m["next_url"] },
		PagingLastURL:  nested("pagination", "next_url"),
		PagingNextOnly: nested("pagination", "next_url"),
		PagingCursor:   nested("pagination", "next_url"),
		PagingResults:  func(m map[string]json.RawMessage) json.RawMessage { return m["next"] },
	}
	members := map[string][]string{
		PagingV1:       {"total", "limit", "items", "current_url", "first_url", "last_url", "next_url", "prev_url"},
		PagingLastURL:  {"next_url", "last_url"},
		PagingNextOnly: {"next_url"},
		PagingCursor:   {"next_url"},
	}
	if len(next) != len(PagingDialects()) {
		t.Fatalf("the test knows %d dialects, the emulator %d", len(next), len(PagingDialects()))
	}
	reference := startServer(t, Config{Subscribers: records, Seed: 9, EvoluxShape: ShapeArray})
	want := subscribersArray(t, reference, "")
	for _, dialect := range PagingDialects() {
		t.Run(dialect, func(t *testing.T) {
			s := startServer(t, Config{Subscribers: records, Seed: 9, PageSize: pageSize, EvoluxPaging: dialect})
			var got []testRecord
			url := s.URL() + evoluxPath()
			for pages := 0; url != ""; pages++ {
				if pages > records/pageSize+1 {
					t.Fatalf("more than %d pages", pages)
				}
				r := send(t, http.MethodGet, url, evoluxAuth(), "")
				wantStatus(t, r, http.StatusOK)
				var envelope map[string]json.RawMessage
				r.decode(t, &envelope)
				var data []testRecord
				if err := json.Unmarshal(envelope[pagingDialects[dialect].records], &data); err != nil {
					t.Fatal(err)
				}
				got = append(got, data...)
				if names, ok := members[dialect]; ok {
					var pagination map[string]json.RawMessage
					_ = json.Unmarshal(envelope["pagination"], &pagination)
					if len(pagination) != len(names) {
						t.Errorf("pagination %s, want exactly %v", envelope["pagination"], names)
					}
					for _, name := range names {
						if _, ok := pagination[name]; !ok {
							t.Errorf("pagination %s has no %q", envelope["pagination"], name)
						}
					}
				}
				url = ""
				if link := next[dialect](envelope); link != nil {
					_ = json.Unmarshal(link, &url)
				}
			}
			if len(got) != len(want) {
				t.Fatalf("%d records over the links, want %d", len(got), len(want))
			}
			for i := range want {
				if got[i].PhoneNumber != want[i].PhoneNumber {
					t.Fatalf("record %d is %s, want %s", i, got[i].PhoneNumber, want[i].PhoneNumber)
				}
			}
		})
	}
}

func nested(object, field string) func(map[string]json.RawMessage) json.RawMessage {
	return func(m map[string]json.RawMessage) json.RawMessage {
		var inner map[string]json.RawMessage
		if json.Unmarshal(m[object], &inner) != nil {
			return nil
		}
		return inner[field]
	}
}

func TestEvoluxPaging_badPagingIs400AndUnknownDialectsAreRefused(t *testing.T) {
	for dialect, query := range map[string]string{
		PagingPage: "page=0", PagingV1: "limit=x", PagingOffset: "offset=-1", PagingTotal: "page_number=two",
		PagingLastURL: "p=0", PagingNextOnly: "pg=-3", PagingCursor: "cursor=12",
	} {
		s := startServer(t, Config{Subscribers: 10, EvoluxPaging: dialect})
		r := send(t, http.MethodGet, s.URL()+evoluxPath()+"?"+query, evoluxAuth(), "")
		wantEvoluxError(t, r, http.StatusBadRequest, "invalid")
	}
	if err := (Config{EvoluxPaging: "pages"}).Validate(); err == nil || !strings.Contains(err.Error(), "evolux paging") {
		t.Errorf("Validate() = %v, want an error naming the paging", err)
	}
}
