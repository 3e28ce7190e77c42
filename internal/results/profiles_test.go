package results

import "testing"

func TestProfileFile(t *testing.T) {
	for _, tc := range []struct {
		kind ProfileKind
		at   Landmark
		want string
	}{
		{ProfileHeap, LandmarkPeak, "heap-peak.pb.gz"},
		{ProfileLinear, LandmarkEndOfLoad, "linear-end-of-load.pb.gz"},
		{ProfileHeap, LandmarkAfterSettle, "heap-after-settle.pb.gz"},
	} {
		if got := ProfileFile(tc.kind, tc.at); got != tc.want {
			t.Errorf("ProfileFile(%s, %s) = %q, want %q", tc.kind, tc.at, got, tc.want)
		}
	}
}

func TestDiffCommand_Quotes(t *testing.T) {
	if got, want := DiffCommand("reports/a/heap-peak.pb.gz", "runs/fix1+2/heap-peak.pb.gz"), "go tool pprof -top -diff_base reports/a/heap-peak.pb.gz runs/fix1+2/heap-peak.pb.gz"; got != want {
		t.Errorf("plain paths: %q, want %q", got, want)
	}
	if got, want := DiffCommand("my runs/a.pb.gz", "it's/b.pb.gz"), `go tool pprof -top -diff_base 'my runs/a.pb.gz' 'it'\''s/b.pb.gz'`; got != want {
		t.Errorf("quoted paths: %q, want %q", got, want)
	}
}

// TestSummarize_ProfilesKeepTheLast: the summary names one profile per
// kind and landmark, the last announced (the peak's is rewritten).
func TestSummarize_ProfilesKeepTheLast(t *testing.T) {
	ev := func(kind ProfileKind, at Landmark, rss uint64) Event {
		return Event{Kind: EventProfile, Profile: &Profile{Kind: kind, Landmark: at, File: ProfileFile(kind, at), RSS: rss}}
	}
	s := Summarize(Summary{}, nil, []Event{
		ev(ProfileHeap, LandmarkPeak, 100), ev(ProfileLinear, LandmarkPeak, 100),
		ev(ProfileHeap, LandmarkPeak, 200), ev(ProfileHeap, LandmarkAfterSettle, 50),
	})
	if len(s.Profiles) != 3 {
		t.Fatalf("profiles %+v, want 3", s.Profiles)
	}
	if p, ok := s.Profile(ProfileHeap, LandmarkPeak); !ok || p.RSS != 200 {
		t.Errorf("heap at peak %+v, want the last (RSS 200)", p)
	}
	if _, ok := s.Profile(ProfileLinear, LandmarkEndOfLoad); ok {
		t.Error("a profile never announced is found")
	}
	base := Summary{Profiles: s.Profiles}
	next := Summary{Profiles: s.Profiles[:1]}
	if d := DiffProfiles(LandmarkPeak, "a", base, "b", next); len(d) != 1 || d[0].Base != "a/heap-peak.pb.gz" || d[0].New != "b/heap-peak.pb.gz" {
		t.Errorf("diffs at the peak %+v, want heap only (b has no linear)", d)
	}
}
