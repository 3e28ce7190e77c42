package engine

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoExplicitCollection: the engine's code (this package and
// backingstore, whose allocator it runs) calls runtime.GC in one place
// only, the external-memory-pressure collection of allocator v8
// (backingstore's Allocator.collect): no other collection is forced, so
// what releases v8 memory in a run is that trigger or the Go runtime's own
// pacing.
func TestNoExplicitCollection(t *testing.T) {
	var found []string
	for _, dir := range []string{".", "../backingstore"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			fset := token.NewFileSet()
			file, err := parser.ParseFile(fset, f, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range file.Decls {
				fn, ok := d.(*ast.FuncDecl)
				if !ok {
					continue
				}
				ast.Inspect(fn, func(n ast.Node) bool {
					call, ok := n.(*ast.CallExpr)
					if !ok {
						return true
					}
					if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "GC" {
						if id, ok := sel.X.(*ast.Ident); ok && id.Name == "runtime" {
							found = append(found, filepath.Base(f)+":"+fn.Name.Name)
						}
					}
					return true
				})
			}
		}
	}
	if len(found) != 1 || found[0] != "backingstore.go:collect" {
		t.Errorf("runtime.GC called in %v; want only backingstore.go:collect", found)
	}
}
