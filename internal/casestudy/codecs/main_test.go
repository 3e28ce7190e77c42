package codecs

import (
	"fmt"
	"os"
	"testing"
)

// testCacheDir is a wazero compilation cache shared by the tests that
// create their own Library, so each compiles the modules only once.
var testCacheDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "codecs-test-cache-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	testCacheDir = dir
	code := m.Run()
	if sharedLib != nil {
		_ = sharedLib.Close(testCtx)
	}
	_ = os.RemoveAll(dir)
	os.Exit(code)
}
