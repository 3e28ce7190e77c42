package workload

import (
	"math/rand/v2"

	"github.com/leakbench/leakbench/internal/imageformat"
)

// PCG stream numbers: one per purpose, so that adding a use of randomness
// in one place never shifts the numbers drawn in another.
const (
	streamRequests uint64 = 0x72657175 // "requ"
	streamImage    uint64 = 0x696d6700 // "img\x00" | image index << 32
)

// RequestList returns one round's requests for n images (the definition's
// own images, or the user's). An explicit list is returned as is, with
// image indices taken modulo n. The generator makes Visits page loads, in
// order; each is a browser at one device width (distinct widths per round
// while they last, in an order shuffled from the seed) requesting images
// 0..n-1 in page order. Output formats are dealt exactly by their weights
// (largest remainder) and shuffled; the k-th JPEG request is rotated by
// Rotations()[(k+offset)%3], so 90, 180 and 270 all occur once there are
// three JPEG requests.
func (d Definition) RequestList(n int) []Request {
	if n < 1 {
		return nil
	}
	if d.Requests == nil {
		out := make([]Request, 0, len(d.List))
		for _, e := range d.List {
			r, err := e.request(d.ImageCount())
			if err != nil {
				continue // Validate reports it
			}
			r.Image %= n
			out = append(out, r)
		}
		return out
	}
	g := d.Requests
	rng := rand.New(rand.NewPCG(d.Seed, streamRequests))
	widths := make([]int, len(g.Widths))
	for i, p := range rng.Perm(len(g.Widths)) {
		widths[i] = g.Widths[p]
	}
	total := g.Visits * n
	deck := dealFormats(total, g.Formats)
	rng.Shuffle(len(deck), func(i, j int) { deck[i], deck[j] = deck[j], deck[i] })
	rot := rng.IntN(len(Rotations()))

	out := make([]Request, 0, total)
	for v := range g.Visits {
		w := widths[v%len(widths)]
		for i := range n {
			r := Request{Image: i, Width: w, Format: deck[len(out)], Quality: g.Quality}
			switch r.Format {
			case imageformat.PNG:
				r.Quality = g.PNGLevel
			case imageformat.JPEG:
				r.Rotate = Rotations()[rot%len(Rotations())]
				rot++
			}
			out = append(out, r)
		}
	}
	return out
}

// dealFormats returns total formats in proportion to weights, by the
// largest-remainder method (ties go to the earlier format of formatNames).
func dealFormats(total int, weights map[string]int) []imageformat.Format {
	names := formatNames()
	sum := 0
	for _, f := range names {
		sum += max(weights[f], 0)
	}
	if sum == 0 || total == 0 {
		return nil
	}
	counts := make([]int, len(names))
	rems := make([]int, len(names))
	given := 0
	for i, f := range names {
		q := total * max(weights[f], 0)
		counts[i], rems[i] = q/sum, q%sum
		given += counts[i]
	}
	for ; given < total; given++ {
		best := 0
		for i := range rems {
			if rems[i] > rems[best] {
				best = i
			}
		}
		counts[best]++
		rems[best] = -1
	}
	deck := make([]imageformat.Format, 0, total)
	for i, f := range names {
		cf, _ := imageformat.Parse(f)
		for range counts[i] {
			deck = append(deck, cf)
		}
	}
	return deck
}
