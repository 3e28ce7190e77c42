package squoosh

import (
	"context"
	"fmt"
	"math"

	"github.com/tetratelabs/wazero/api"
)

// destructor is one entry of embind's destructors list: free(ptr), or a
// value object's destructor through the table.
type destructor struct {
	sig string // "" for free
	fn  uint32
	ptr uint32
}

// call calls the embind function name with JavaScript-like arguments
// ([]byte for std::string, float64 or int for numbers, bool, and
// map[string]jsValue for value objects), as the function embind.js
// craft_invoker_function builds: each argument wired by its type, the
// invoker called with the function pointer and the wired arguments, the
// destructors run last in, first out, and the result unwired.
func (in *emscriptenInstance) call(ctx context.Context, name string, args ...jsValue) (jsValue, error) {
	ctx = context.WithValue(ctx, instanceKey{}, in)
	f, ok := in.funcs[name]
	if !ok {
		return nil, fmt.Errorf("squoosh: %s registers no function %q", in.kind, name)
	}
	if len(args) != len(f.argType)-1 {
		return nil, fmt.Errorf("squoosh: %s: function %s called with %d arguments, expected %d", in.kind, name, len(args), len(f.argType)-1)
	}
	if len(f.sig) != len(f.argType)+1 {
		return nil, fmt.Errorf("squoosh: %s: function %s has signature %q for %d types", in.kind, name, f.sig, len(f.argType))
	}
	var dtors []destructor
	wired := []uint64{uint64(f.fn)}
	for i, a := range args {
		t, err := in.typeOf(f.argType[i+1])
		if err != nil {
			return nil, err
		}
		w, err := in.toWire(ctx, t, a, &dtors)
		if err != nil {
			return nil, fmt.Errorf("squoosh: %s: argument %d of %s: %w", in.kind, i, name, err)
		}
		wired = append(wired, encodeWire(f.sig[i+2], w))
	}
	res, err := in.callTable(ctx, f.sig, f.invoker, wired...)
	if err != nil {
		return nil, in.withOutput(err)
	}
	for i := len(dtors) - 1; i >= 0; i-- {
		d := dtors[i]
		if d.sig == "" {
			_, err = in.free.Call(ctx, uint64(d.ptr))
		} else {
			_, err = in.callTable(ctx, d.sig, d.fn, uint64(d.ptr))
		}
		if err != nil {
			return nil, fmt.Errorf("squoosh: %s: destructor after %s: %w", in.kind, name, err)
		}
	}
	rt, err := in.typeOf(f.argType[0])
	if err != nil {
		return nil, err
	}
	switch rt.kind {
	case kindVoid:
		return jsUndefined, nil
	case kindEmval:
		return in.take(api.DecodeU32(res[0]))
	}
	return nil, fmt.Errorf("squoosh: %s: %s returns a %q, which this host does not read", in.kind, name, rt.name)
}

// toWire is a type's toWireType: the wire value as a JavaScript number.
func (in *emscriptenInstance) toWire(ctx context.Context, t *embindType, v jsValue, dtors *[]destructor) (float64, error) {
	switch t.kind {
	case kindStdString:
		b, ok := v.([]byte)
		if !ok {
			return 0, fmt.Errorf("cannot pass a %T to std::string", v)
		}
		// A std::string travels as a malloc'd {length; bytes} block that
		// embind frees after the call.
		res, err := in.malloc.Call(ctx, uint64(4+len(b)+1))
		if err != nil {
			return 0, err
		}
		p := api.DecodeU32(res[0])
		if p == 0 || !in.mem.WriteUint32Le(p, uint32(len(b))) || !in.mem.Write(p+4, b) {
			return 0, fmt.Errorf("malloc(%d) returned %d: out of memory", 4+len(b)+1, p)
		}
		*dtors = append(*dtors, destructor{ptr: p})
		return float64(p), nil
	case kindInteger:
		n, ok := number(v)
		if !ok {
			return 0, fmt.Errorf("cannot convert a %T to %s", v, t.name)
		}
		if n < float64(t.min) || n > float64(t.max) {
			return 0, fmt.Errorf("passing a number %v to an argument of type %q, which is outside the valid range [%d, %d]", n, t.name, t.min, t.max)
		}
		if t.unsigned {
			return float64(uint32(int64(n))), nil
		}
		return float64(int32(int64(n))), nil
	case kindFloat:
		n, ok := number(v)
		if !ok {
			return 0, fmt.Errorf("cannot convert a %T to %s", v, t.name)
		}
		return n, nil
	case kindBool:
		if b, _ := v.(bool); b {
			return float64(t.trueVal), nil
		}
		return float64(t.falseVal), nil
	case kindValueObject:
		fields, ok := v.(map[string]jsValue)
		if !ok {
			return 0, fmt.Errorf("cannot pass a %T as value object %s", v, t.name)
		}
		o := t.obj
		for _, f := range o.fields {
			if _, ok := fields[f.name]; !ok {
				return 0, fmt.Errorf("missing field: %q of %s", f.name, t.name)
			}
		}
		res, err := in.callTable(ctx, o.ctorSig, o.ctor)
		if err != nil {
			return 0, err
		}
		p := api.DecodeU32(res[0])
		for _, f := range o.fields {
			ft, err := in.typeOf(f.setterType)
			if err != nil {
				return 0, err
			}
			w, err := in.toWire(ctx, ft, fields[f.name], dtors)
			if err != nil {
				return 0, fmt.Errorf("field %s: %w", f.name, err)
			}
			if len(f.setterSig) != 4 {
				return 0, fmt.Errorf("field %s: setter signature %q, want 4 letters", f.name, f.setterSig)
			}
			if _, err := in.callTable(ctx, f.setterSig, f.setter, uint64(f.setterCtx), uint64(p), encodeWire(f.setterSig[3], w)); err != nil {
				return 0, fmt.Errorf("field %s: %w", f.name, err)
			}
		}
		*dtors = append(*dtors, destructor{sig: o.dtorSig, fn: o.dtor, ptr: p})
		return float64(p), nil
	case kindEmval:
		return float64(in.register(v)), nil
	case kindEnum:
		// embind.js __embind_register_enum: toWireType(destructors, c)
		// is c.value, for an enum object of the registered values. The
		// optimizer passes plain numbers (webp's image_hint: 0), whose
		// .value is undefined, which the wasm i32 parameter receives as 0
		// whatever the number.
		if _, ok := number(v); !ok {
			return 0, fmt.Errorf("cannot pass a %T as enum %s", v, t.name)
		}
		return math.NaN(), nil
	}
	return 0, fmt.Errorf("cannot pass an argument of type %q", t.name)
}

// number is a JavaScript number argument (int or float64; a bool counts,
// as embind accepts booleans for numbers).
func number(v jsValue) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case int:
		return float64(n), true
	case bool:
		if n {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

// encodeWire encodes a wire number as the wasm value of signature letter c,
// as JavaScript converts a number for a wasm parameter (ToInt32 for i32:
// NaN, from undefined, is 0).
func encodeWire(c byte, v float64) uint64 {
	switch c {
	case 'f':
		return api.EncodeF32(float32(v))
	case 'd':
		return api.EncodeF64(v)
	}
	if math.IsNaN(v) {
		return 0
	}
	if v < 0 {
		return uint64(uint32(int32(v)))
	}
	return uint64(uint32(math.Min(v, math.MaxUint32)))
}
