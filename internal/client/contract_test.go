package client_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// CONTRACT.md lists every path, parameter and field the clients use. This
// test reads the string constants, string literals and JSON field tags of
// each wire.go (the one place for wire details) and fails for any that no
// code span of the page shows as a whole word, so the page cannot fall
// behind the code.
func TestContractPageShowsEveryWireDetail(t *testing.T) {
	page, err := os.ReadFile("CONTRACT.md")
	if err != nil {
		t.Fatal(err)
	}
	codeSpans := strings.Join(regexp.MustCompile("`[^`]+`").FindAllString(string(page), -1), "\n")
	shown := func(detail string) bool {
		return regexp.MustCompile(`(^|[^A-Za-z0-9_])` + regexp.QuoteMeta(detail) + `($|[^A-Za-z0-9_])`).MatchString(codeSpans)
	}
	for _, wire := range []string{"builder/wire.go", "evolux/wire.go"} {
		details := wireDetails(t, wire)
		if len(details) < 10 {
			t.Fatalf("%s: found only %d wire details, the parser is missing some: %q", wire, len(details), details)
		}
		for _, detail := range details {
			if !shown(detail) {
				t.Errorf("%s uses %q, which CONTRACT.md does not show: add it, marked documented or assumed", wire, detail)
			}
		}
	}
	// The paths built by functions, spelled as the page spells them.
	for _, path := range []string{
		"/campaign/{organization_name}/{bot_name}`",
		"/campaign/{organization_name}/{bot_name}/{id}`",
		"/trigger/{id}?apikey=KEY`",
	} {
		if !strings.Contains(string(page), path) {
			t.Errorf("CONTRACT.md does not show the path %s", path)
		}
	}
}

// wireDetails returns the non-empty string literals of a file (constants,
// the pieces of paths, enumerations) and the names of its JSON struct tags.
func wireDetails(t *testing.T, file string) []string {
	t.Helper()
	parsed, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var details []string
	ast.Inspect(parsed, func(node ast.Node) bool {
		switch node := node.(type) {
		case *ast.ImportSpec:
			return false
		case *ast.Field:
			if node.Tag != nil {
				tag, _ := strconv.Unquote(node.Tag.Value)
				if name, _, _ := strings.Cut(reflect.StructTag(tag).Get("json"), ","); name != "" && name != "-" {
					details = append(details, name)
				}
			}
			return false
		case *ast.BasicLit:
			if node.Kind == token.STRING {
				if value, _ := strconv.Unquote(node.Value); strings.Trim(value, "/ ") != "" {
					details = append(details, strings.TrimSuffix(value, "/"))
				}
			}
		}
		return true
	})
	return details
}
