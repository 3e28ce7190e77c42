package scenario

import (
	"io/fs"
	"reflect"
	"testing"
	"testing/fstest"
)

// countingFS counts the opens of each file of its FS.
type countingFS struct {
	fs.FS
	opens map[string]int
}

func (c countingFS) Open(name string) (fs.File, error) {
	c.opens[name]++
	return c.FS.Open(name)
}

// Finder resolves what Find resolves, the same scenarios and the same
// errors, and reads each shipped file once however many names it is
// given.
func TestFinder_ParsesTheShippedScenariosOnce(t *testing.T) {
	shipped := countingFS{FS: fstest.MapFS{
		"keep-two.yaml": {Data: []byte("name: keep-two\nworkload: tiny\ntarget: keeper\noptions: {keep: 2}\n")},
		"fix1-2.yaml":   {Data: []byte("name: fix1+2\nworkload: tiny\nlifetime: fresh\n")},
	}, opens: map[string]int{}}
	cat := testCatalog
	cat.Shipped = shipped
	find := cat.Finder()
	for _, name := range []string{"keep-two", "fix1+2", "fix1-2", "nope", "keep-two"} {
		got, gotErr := find(name)
		want, wantErr := cat.Find(name)
		if !reflect.DeepEqual(got, want) || (gotErr == nil) != (wantErr == nil) || gotErr != nil && gotErr.Error() != wantErr.Error() {
			t.Errorf("Finder()(%q) = %+v, %v; Find: %+v, %v", name, got, gotErr, want, wantErr)
		}
	}
	clear(shipped.opens)
	find = cat.Finder()
	for _, name := range []string{"keep-two", "fix1+2", "nope"} {
		_, _ = find(name)
	}
	if shipped.opens["keep-two.yaml"] != 1 || shipped.opens["fix1-2.yaml"] != 1 {
		t.Errorf("opens %v for three names; want each shipped file once", shipped.opens)
	}
}
