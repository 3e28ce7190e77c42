package workload

import (
	"image"
	"math"
	"math/rand/v2"
)

// GeneratorVersion identifies the image generator. It is part of the
// cache key: change it whenever Generate's pixels change, so that caches
// of older images are regenerated rather than reused.
const GeneratorVersion = 1

// Generate renders image number index of a workload: a photo-like scene
// (a sky and ground split by a wavy horizon, colour gradients, a few
// textured shapes with hard edges, multi-scale value noise (fBm) for
// texture and light, a vignette, and per-pixel sensor grain), so that PNG
// compresses it about as well as a photograph. With spec.Alpha the scene
// is an elliptical cut-out with a feathered edge on a fully transparent
// background.
//
// The pixels depend only on seed, index and the spec: every random number
// comes from math/rand/v2 PCG streams seeded from them, and every
// floating-point product that is then added to something is rounded by an
// explicit float32 conversion, which keeps the compiler from fusing it into
// an FMA on arm64, ppc64 or s390x: the same pixels on every GOARCH.
func Generate(seed uint64, index int, spec ImageSpec) *image.NRGBA {
	w, h := spec.Width, spec.Height
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	if w < 1 || h < 1 {
		return img
	}
	rng := rand.New(rand.NewPCG(seed, streamImage|uint64(index)<<32))
	sc := newScene(rng, w, h, spec.Alpha)
	grainSeed := rng.Uint64()
	var grain rand.PCG
	for y := range h {
		grain.Seed(grainSeed, uint64(y))
		sc.row(y, img.Pix[y*img.Stride:y*img.Stride+4*w], &grain)
	}
	return img
}

// rgb is a colour in 0-255 floating point.
type rgb struct{ r, g, b float32 }

func (c rgb) mix(d rgb, t float32) rgb {
	return rgb{c.r + float32((d.r-c.r)*t), c.g + float32((d.g-c.g)*t), c.b + float32((d.b-c.b)*t)}
}

// randColor picks a colour around a hue family with some saturation.
func randColor(r *rand.Rand, base rgb, spread float32) rgb {
	j := func(v float32) float32 {
		return clamp(v+float32(signed(r)*spread), 0, 255)
	}
	return rgb{j(base.r), j(base.g), j(base.b)}
}

func clamp(v, lo, hi float32) float32 {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

// shape is a filled disc or rectangle with its own colour and shading.
type shape struct {
	disc           bool
	cx, cy, rx, ry float32 // disc: centre and radii; rect: centre and half sizes
	col            rgb
	shade          float32 // brightness change from top to bottom
}

// span returns the shape's pixel range [x0, x1) on row y, if any.
func (s *shape) span(y float32, w int) (x0, x1 int, ok bool) {
	dy := y - s.cy
	if dy < -s.ry || dy >= s.ry {
		return 0, 0, false
	}
	half := s.rx
	if s.disc {
		t := 1 - (dy*dy)/(s.ry*s.ry)
		if t <= 0 {
			return 0, 0, false
		}
		half = float32(s.rx * float32(math.Sqrt(float64(t))))
	}
	x0 = max(0, int(s.cx-half))
	x1 = min(w, int(s.cx+half))
	return x0, x1, x0 < x1
}

// scene holds everything one image needs, precomputed per column where it
// can be, and the row buffers. It is used by one goroutine.
type scene struct {
	w, h        int
	alpha       bool
	horizon     []float32 // per column: y of the horizon
	skyTop      rgb
	skyLow      rgb
	groundFar   rgb
	groundNear  rgb
	light       []float32 // per column: sunlight ramp times the vignette's x part
	vigX        []float32 // per column: squared normalised x distance from the centre
	vig         float32   // vignette strength
	shapes      []shape
	lum, cb, cr *fbm
	lumRow      []float32
	cbRow       []float32
	crRow       []float32
	base        []rgb
	grain       float32 // luminance grain amplitude (triangular, +-grain)
	chromaGrain float32
}

func newScene(r *rand.Rand, w, h int, alpha bool) *scene {
	s := &scene{w: w, h: h, alpha: alpha}
	big := max(w, h)
	s.lum = newFBM(r, w, h, float32(big)/2, 2, 0.72)
	s.cb = newFBM(r, w, h, float32(big)/2, float32(big)/24, 0.5)
	s.cr = newFBM(r, w, h, float32(big)/2, float32(big)/24, 0.5)
	s.lumRow = make([]float32, w)
	s.cbRow = make([]float32, w)
	s.crRow = make([]float32, w)
	s.base = make([]rgb, w)

	// Sky and ground: a few palettes, jittered.
	skies := []struct{ top, low rgb }{
		{rgb{40, 90, 170}, rgb{170, 200, 230}},   // clear day
		{rgb{70, 60, 120}, rgb{240, 160, 90}},    // sunset
		{rgb{110, 120, 130}, rgb{200, 200, 200}}, // overcast
	}
	grounds := []struct{ far, near rgb }{
		{rgb{80, 110, 60}, rgb{40, 70, 25}},    // grass
		{rgb{150, 130, 100}, rgb{100, 80, 55}}, // sand, earth
		{rgb{90, 90, 95}, rgb{50, 50, 55}},     // city, rock
		{rgb{50, 90, 120}, rgb{20, 50, 80}},    // water
	}
	sky := skies[r.IntN(len(skies))]
	gr := grounds[r.IntN(len(grounds))]
	s.skyTop, s.skyLow = randColor(r, sky.top, 20), randColor(r, sky.low, 20)
	s.groundFar, s.groundNear = randColor(r, gr.far, 25), randColor(r, gr.near, 20)

	// A wavy horizon: 1-D fBm over x.
	hy := float32(h) * (0.3 + float32(0.4*r.Float32()))
	amp := float32(h) * (0.04 + float32(0.08*r.Float32()))
	line := newFBM(r, w, 1, float32(w)/3, 4, 0.55)
	s.horizon = make([]float32, w)
	line.row(0, s.horizon)
	for x := range s.horizon {
		s.horizon[x] = hy + float32(amp*s.horizon[x])
	}

	// Light: the sun on one side, and a vignette.
	sun := r.Float32()
	s.vig = 0.25 + float32(0.2*r.Float32())
	s.light = make([]float32, w)
	s.vigX = make([]float32, w)
	for x := range w {
		fx := float32(x) / float32(max(w-1, 1))
		d := fx - sun
		s.light[x] = 1.1 - float32(0.25*d*d)
		dx := float32(2*fx) - 1
		s.vigX[x] = float32(dx * dx)
	}

	// A few objects in front: discs (sun, trees, balls) and rectangles
	// (buildings, poles, signs), some thin.
	n := 5 + r.IntN(8)
	for range n {
		sh := shape{
			disc:  r.IntN(3) == 0,
			cx:    r.Float32() * float32(w),
			cy:    hy + float32((float32(r.Float32()*1.2)-0.4)*float32(h)*0.5),
			col:   randColor(r, rgb{118, 108, 98}, 70),
			shade: float32(0.4*r.Float32()) - 0.1,
		}
		size := float32(big) * (0.03 + float32(0.22*r.Float32()*r.Float32()))
		sh.rx, sh.ry = size, size*(0.5+r.Float32())
		if !sh.disc && r.IntN(3) == 0 { // a pole or a wire
			if r.IntN(2) == 0 {
				sh.rx = max(1, size/25)
				sh.ry = float32(h)
			} else {
				sh.ry = max(1, size/25)
				sh.rx = float32(w)
			}
		}
		s.shapes = append(s.shapes, sh)
	}
	s.grain = 7 + float32(3*r.Float32())
	s.chromaGrain = 3
	return s
}

// row renders row y into pix (4 bytes per pixel, NRGBA).
func (s *scene) row(y int, pix []byte, grain *rand.PCG) {
	w, h := s.w, s.h
	fy := float32(y)
	s.lum.row(y, s.lumRow)
	s.cb.row(y, s.cbRow)
	s.cr.row(y, s.crRow)

	// The background: sky above the horizon, ground below, each a gradient.
	for x := range w {
		hz := s.horizon[x]
		if fy < hz {
			s.base[x] = s.skyTop.mix(s.skyLow, clamp(fy/max(hz, 1), 0, 1))
		} else {
			s.base[x] = s.groundFar.mix(s.groundNear, clamp((fy-hz)/max(float32(h)-hz, 1), 0, 1))
		}
	}
	// Objects, back to front.
	for i := range s.shapes {
		sh := &s.shapes[i]
		x0, x1, ok := sh.span(fy, w)
		if !ok {
			continue
		}
		t := clamp((fy-(sh.cy-sh.ry))/(2*sh.ry), 0, 1)
		c := sh.col.mix(rgb{sh.col.r * (1 - sh.shade), sh.col.g * (1 - sh.shade), sh.col.b * (1 - sh.shade)}, t)
		for x := x0; x < x1; x++ {
			s.base[x] = c
		}
	}

	dy := 2*fy/float32(max(h-1, 1)) - 1
	vy := float32(dy * dy)
	var ax, ay, feather float32
	if s.alpha {
		ax, ay = 0.45*float32(w), 0.45*float32(h)
		feather = max(1, float32(min(w, h))/128)
	}
	cx, cy := float32(w)/2, float32(h)/2
	for x := range w {
		p := pix[4*x : 4*x+4 : 4*x+4]
		a := float32(255)
		if s.alpha {
			// Signed distance (approximately, in pixels) from the ellipse.
			ex, ey := (float32(x)-cx)/ax, (fy-cy)/ay
			d := (float32(math.Sqrt(float64(float32(ex*ex)+float32(ey*ey)))) - 1) * min(ax, ay)
			if d >= feather {
				p[0], p[1], p[2], p[3] = 0, 0, 0, 0
				continue
			}
			if d > 0 {
				a = float32(255 * (1 - d/feather))
			}
		}
		b := s.base[x]
		m := (1 + float32(0.45*s.lumRow[x])) * s.light[x] * (1 - float32(s.vig*(s.vigX[x]+vy)*0.5))
		u := grain.Uint64()
		gl := float32(tri(u)*s.grain) + float32(0.3*s.lumRow[x]*s.grain)
		cr := float32(28*s.crRow[x]) + float32(tri(u>>16)*s.chromaGrain)
		cb := float32(28*s.cbRow[x]) + float32(tri(u>>32)*s.chromaGrain)
		p[0] = quant(float32(b.r*m) + gl + cr)
		p[1] = quant(float32(b.g*m) + gl - float32(0.5*(cr+cb)))
		p[2] = quant(float32(b.b*m) + gl + cb)
		p[3] = uint8(a + 0.5)
	}
}

// signed returns a uniform random number in [-1, 1).
func signed(r *rand.Rand) float32 { return float32(r.Float32()*2) - 1 }

// tri returns a triangular random number in (-1, 1) from the low 16 bits
// of u: the sum of two uniform bytes, a cheap stand-in for Gaussian grain.
func tri(u uint64) float32 { return (float32(u&0xff) + float32(u>>8&0xff) - 255) / 255 }

func quant(v float32) uint8 {
	if v <= 0 {
		return 0
	}
	if v >= 255 {
		return 255
	}
	return uint8(v + 0.5)
}

// fbm is fractal value noise: octaves of bilinearly interpolated random
// lattices (smoothstep weights), cell sizes halving from coarse to fine,
// amplitudes falling by persistence, normalised to about [-1, 1].
type fbm struct {
	oct []octave
	buf []float32
}

type octave struct {
	cell float32
	gw   int       // lattice points per row
	grid []float32 // gw * gh values in [-1, 1]
	amp  float32
	ix   []int32   // per column: lattice cell
	sx   []float32 // per column: smoothstep weight within the cell
}

func newFBM(r *rand.Rand, w, h int, coarse, fine, persistence float32) *fbm {
	f := &fbm{}
	amp, total := float32(1), float32(0)
	for cell := max(coarse, 1); cell >= fine && cell >= 1; cell /= 2 {
		o := octave{cell: cell, amp: amp}
		o.gw = int(float32(w)/cell) + 2
		gh := int(float32(h)/cell) + 2
		o.grid = make([]float32, o.gw*gh)
		for i := range o.grid {
			o.grid[i] = signed(r)
		}
		o.ix = make([]int32, w)
		o.sx = make([]float32, w)
		for x := range w {
			p := float32(x) / cell
			i := int32(p)
			o.ix[x] = i
			o.sx[x] = smooth(p - float32(i))
		}
		f.oct = append(f.oct, o)
		total += amp
		amp *= persistence
		f.buf = make([]float32, max(len(f.buf), o.gw))
	}
	for i := range f.oct {
		f.oct[i].amp /= total
	}
	return f
}

func smooth(t float32) float32 { return t * t * (3 - float32(2*t)) }

// row writes the noise of row y into out (len = image width).
func (f *fbm) row(y int, out []float32) {
	clear(out)
	for i := range f.oct {
		o := &f.oct[i]
		p := float32(y) / o.cell
		gy := int(p)
		ty := smooth(p - float32(gy))
		g0 := o.grid[gy*o.gw : (gy+1)*o.gw]
		g1 := o.grid[(gy+1)*o.gw : (gy+2)*o.gw]
		rb := f.buf[:o.gw]
		for j := range rb {
			rb[j] = o.amp * (g0[j] + float32((g1[j]-g0[j])*ty))
		}
		for x := range out {
			k := o.ix[x]
			a := rb[k]
			out[x] += a + float32((rb[k+1]-a)*o.sx[x])
		}
	}
}
