package gen

import (
	"cmp"
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/golang/protobuf/jsonpb"
	networking "istio.io/api/networking/v1alpha3"
	security "istio.io/api/security/v1beta1"
)

// The istio.io/api specs marshal themselves with github.com/golang/protobuf/jsonpb, which walks
// them through protobuf reflection. Its lazy initialisation (file descriptors, message infos)
// costs milliseconds on the first spec, a fifth of a short run of this CLI. The generated
// structs say all jsonpb needs in their types and struct tags, so this walker reads them with
// package reflect instead, and never touches google.golang.org/protobuf at run time.
//
// It covers what meshgen's specs hold: proto3 strings, bools, integers, enums, messages,
// repeated fields, maps and oneofs. Anything else (floats, bytes, well-known types, enums not in
// protoEnumNames, proto2 or editions messages) makes it give up, and the caller falls back to the
// type's own MarshalJSON. Giving up is decided per value, not per type: a VirtualService whose
// routes have no timeout is covered although HTTPRoute.Timeout is a Duration.

// protoJSON returns m's JSON: the walker's when it covers m, else m's own MarshalJSON's.
func protoJSON(m json.Marshaler) ([]byte, error) {
	if b, ok := appendProtoJSON(nil, m); ok {
		return b, nil
	}
	return m.MarshalJSON()
}

// appendProtoJSON appends to dst the JSON that jsonpb, with default options, writes for m, a
// pointer to a protoc-gen-go message struct. The decoded value is the same; key order and
// string escapes may differ. ok is false, and dst is returned as it was, when m holds something
// the walker does not cover (see above) or m is not a non-nil message pointer.
func appendProtoJSON(dst []byte, m any) ([]byte, bool) {
	v := reflect.ValueOf(m)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return dst, false // jsonpb refuses nil too; MarshalJSON gives the error
	}
	out, ok := pjAppendMessage(dst, v, 0)
	if !ok {
		return dst, false
	}
	return out, true
}

// protoEnumNames holds the generated <Enum>_name map of every enum the walker may write as a
// name. String() would give the same names, but through protobuf reflection. An enum type missing
// here makes the walker give up once a field of that type is set.
var protoEnumNames = map[reflect.Type]map[int32]string{
	// Gateway
	reflect.TypeFor[networking.ServerTLSSettings_TLSmode]():     networking.ServerTLSSettings_TLSmode_name,
	reflect.TypeFor[networking.ServerTLSSettings_TLSProtocol](): networking.ServerTLSSettings_TLSProtocol_name,
	// VirtualService
	reflect.TypeFor[networking.HTTPRedirect_RedirectPortSelection](): networking.HTTPRedirect_RedirectPortSelection_name,
	reflect.TypeFor[networking.CorsPolicy_UnmatchedPreflights]():     networking.CorsPolicy_UnmatchedPreflights_name,
	// DestinationRule
	reflect.TypeFor[networking.TrafficPolicy_ProxyProtocol_VERSION]():                 networking.TrafficPolicy_ProxyProtocol_VERSION_name,
	reflect.TypeFor[networking.LoadBalancerSettings_SimpleLB]():                       networking.LoadBalancerSettings_SimpleLB_name,
	reflect.TypeFor[networking.ConnectionPoolSettings_HTTPSettings_H2UpgradePolicy](): networking.ConnectionPoolSettings_HTTPSettings_H2UpgradePolicy_name,
	reflect.TypeFor[networking.ClientTLSSettings_TLSmode]():                           networking.ClientTLSSettings_TLSmode_name,
	// PeerAuthentication
	reflect.TypeFor[security.PeerAuthentication_MutualTLS_Mode](): security.PeerAuthentication_MutualTLS_Mode_name,
	// ServiceEntry and Sidecar
	reflect.TypeFor[networking.ServiceEntry_Location]():      networking.ServiceEntry_Location_name,
	reflect.TypeFor[networking.ServiceEntry_Resolution]():    networking.ServiceEntry_Resolution_name,
	reflect.TypeFor[networking.CaptureMode]():                networking.CaptureMode_name,
	reflect.TypeFor[networking.OutboundTrafficPolicy_Mode](): networking.OutboundTrafficPolicy_Mode_name,
}

// pjKind is how one protobuf value is written.
type pjKind uint8

const (
	pjUnsupported pjKind = iota // floats, bytes, unregistered enums...: give up if it must be written
	pjString
	pjBool
	pjInt32  // int32, sint32, sfixed32
	pjUint32 // uint32, fixed32
	pjInt64  // 64-bit integers are quoted: JSON numbers lose precision past 2^53
	pjUint64
	pjEnum
	pjMessage // a pointer to a message struct
)

// pjShape is how a field holds its values, and so when jsonpb writes it.
type pjShape uint8

const (
	pjSingular pjShape = iota // proto3 implicit presence: written unless zero; messages unless nil
	pjOptional                // proto3 optional, a pointer to a scalar: written unless nil
	pjList                    // written unless empty
	pjMap                     // written unless empty
	pjOneof                   // an interface holding a *Wrapper{Member}: written when set, even if zero
)

type pjValue struct {
	kind  pjKind
	names map[int32]string // pjEnum
}

type pjField struct {
	index int
	key   string // `"jsonName":`
	shape pjShape
	mkey  pjValue // pjMap
	value pjValue
}

// pjMaxDepth bounds message nesting: a pointer cycle gives up instead of overflowing the stack.
const pjMaxDepth = 1000

// pjInfo is what the walker knows of one struct type: a message, or a oneof wrapper.
type pjInfo struct {
	ok     bool
	fields []pjField
}

var (
	pjCache           sync.Map // reflect.Type -> *pjInfo
	pjNotCovered      = &pjInfo{}
	pjInt32Type       = reflect.TypeFor[int32]()
	pjJSONPBMarshaler = reflect.TypeFor[jsonpb.JSONPBMarshaler]()
	pjProtobufPkgs    = []string{"google.golang.org/protobuf/", "github.com/golang/protobuf/"}
)

func pjInfoOf(t reflect.Type) *pjInfo {
	if i, ok := pjCache.Load(t); ok {
		return i.(*pjInfo)
	}
	i, _ := pjCache.LoadOrStore(t, pjCompile(t))
	return i.(*pjInfo)
}

func pjCompile(t reflect.Type) *pjInfo {
	if t.Kind() != reflect.Struct {
		return pjNotCovered
	}
	// Well-known types (Duration, wrappers, Struct, Any...) all live in these modules, and jsonpb
	// gives each its own JSON form.
	for _, p := range pjProtobufPkgs {
		if strings.HasPrefix(t.PkgPath(), p) {
			return pjNotCovered
		}
	}
	if reflect.PointerTo(t).Implements(pjJSONPBMarshaler) {
		return pjNotCovered // jsonpb lets such a type write itself
	}
	info := &pjInfo{ok: true}
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			switch sf.Name {
			case "state", "sizeCache", "unknownFields": // jsonpb writes no unknown fields
				continue
			}
			return pjNotCovered // extensions, weak fields, the opaque API's hidden fields...
		}
		if sf.Tag.Get("protobuf_oneof") != "" {
			if sf.Type.Kind() != reflect.Interface {
				return pjNotCovered
			}
			info.fields = append(info.fields, pjField{index: i, shape: pjOneof})
			continue
		}
		f, ok := pjCompileField(sf)
		if !ok {
			return pjNotCovered // no tag (an XXX_ field, not a message at all), proto2...
		}
		f.index = i
		info.fields = append(info.fields, f)
	}
	return info
}

// pjCompileField reads a `protobuf:"kind,num,opt|rep,name=x[,json=y],proto3[,enum=E][,oneof]"` tag
// and the field's Go type.
func pjCompileField(sf reflect.StructField) (pjField, bool) {
	tag := sf.Tag.Get("protobuf")
	var name, jsonName string
	var repeated, proto3 bool
	for part := range strings.SplitSeq(tag, ",") {
		switch {
		case part == "rep":
			repeated = true
		case part == "proto3":
			proto3 = true
		case strings.HasPrefix(part, "name="):
			name = part[len("name="):]
		case strings.HasPrefix(part, "json="):
			jsonName = part[len("json="):] // only there when it differs from name
		}
	}
	// proto2 and editions fields lack "proto3"; they have defaults, required fields and
	// extensions this walker does not model.
	if name == "" || !proto3 {
		return pjField{}, false
	}
	if jsonName == "" {
		jsonName = name
	}
	f := pjField{key: string(pjAppendString(nil, jsonName)) + ":"}
	t := sf.Type
	switch {
	case t.Kind() == reflect.Map:
		f.shape, f.mkey, f.value = pjMap, pjValueOf(t.Key()), pjValueOf(t.Elem())
		switch f.mkey.kind {
		case pjString, pjBool, pjInt32, pjUint32, pjInt64, pjUint64:
		default:
			return pjField{}, false
		}
	case t.Kind() == reflect.Slice && repeated:
		f.shape, f.value = pjList, pjValueOf(t.Elem())
	case t.Kind() == reflect.Slice: // bytes
		f.shape, f.value = pjSingular, pjValue{kind: pjUnsupported}
	case t.Kind() == reflect.Pointer && t.Elem().Kind() != reflect.Struct:
		f.shape, f.value = pjOptional, pjValueOf(t.Elem())
	default:
		f.shape, f.value = pjSingular, pjValueOf(t)
	}
	return f, true
}

func pjValueOf(t reflect.Type) pjValue {
	switch t.Kind() {
	case reflect.String:
		return pjValue{kind: pjString}
	case reflect.Bool:
		return pjValue{kind: pjBool}
	case reflect.Int32:
		if t == pjInt32Type {
			return pjValue{kind: pjInt32}
		}
		if names, ok := protoEnumNames[t]; ok {
			return pjValue{kind: pjEnum, names: names}
		}
	case reflect.Uint32:
		return pjValue{kind: pjUint32}
	case reflect.Int64:
		return pjValue{kind: pjInt64}
	case reflect.Uint64:
		return pjValue{kind: pjUint64}
	case reflect.Pointer:
		if t.Elem().Kind() == reflect.Struct {
			return pjValue{kind: pjMessage}
		}
	}
	return pjValue{kind: pjUnsupported}
}

// pjAppendMessage writes the message p points to. A nil p is written as {}: jsonpb does so for
// the places a nil message can still be reached (list elements, map values, oneof members).
func pjAppendMessage(dst []byte, p reflect.Value, depth int) ([]byte, bool) {
	info := pjInfoOf(p.Type().Elem())
	if !info.ok || depth > pjMaxDepth {
		return dst, false
	}
	dst = append(dst, '{')
	if p.IsNil() {
		return append(dst, '}'), true
	}
	s := p.Elem()
	first := true
	for i := range info.fields {
		f := &info.fields[i]
		v := s.Field(f.index)
		switch f.shape {
		case pjOneof:
			if v.IsNil() {
				continue
			}
			w := v.Elem()
			if w.Kind() != reflect.Pointer {
				return dst, false
			}
			if w.IsNil() {
				continue // a typed nil wrapper: protobuf-go treats the oneof as unset
			}
			wi := pjInfoOf(w.Type().Elem())
			if !wi.ok || len(wi.fields) != 1 || wi.fields[0].shape != pjSingular {
				return dst, false
			}
			f, v = &wi.fields[0], w.Elem().Field(wi.fields[0].index)
		case pjList, pjMap:
			if v.Len() == 0 {
				continue
			}
		default:
			if !pjPresent(v) {
				continue
			}
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = append(dst, f.key...)
		var ok bool
		if dst, ok = pjAppendField(dst, f, v, depth); !ok {
			return dst, false
		}
	}
	return append(dst, '}'), true
}

// pjPresent is protobuf-go's Has for a singular field: a scalar that is not zero, or a pointer
// (message, proto3 optional) that is not nil.
func pjPresent(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer:
		return !v.IsNil()
	case reflect.Slice:
		// Bytes, which the walker gives up on. Has is len > 0, or != nil for proto3 optional
		// bytes; != nil errs on the side of giving up.
		return !v.IsNil()
	case reflect.String:
		return v.Len() > 0
	case reflect.Bool:
		return v.Bool()
	case reflect.Int32, reflect.Int64:
		return v.Int() != 0
	case reflect.Uint32, reflect.Uint64:
		return v.Uint() != 0
	case reflect.Float32, reflect.Float64:
		return v.Float() != 0 || math.Signbit(v.Float()) // -0 is set, and written
	}
	return true // unexpected: written, so the walker gives up on it
}

func pjAppendField(dst []byte, f *pjField, v reflect.Value, depth int) ([]byte, bool) {
	switch f.shape {
	case pjSingular:
		return pjAppendValue(dst, f.value, v, depth)
	case pjOptional:
		return pjAppendValue(dst, f.value, v.Elem(), depth)
	case pjList:
		dst = append(dst, '[')
		for i := range v.Len() {
			if i > 0 {
				dst = append(dst, ',')
			}
			var ok bool
			if dst, ok = pjAppendValue(dst, f.value, v.Index(i), depth); !ok {
				return dst, false
			}
		}
		return append(dst, ']'), true
	case pjMap:
		// Sorted as jsonpb sorts them: the output is stable, and if two keys write the same
		// (invalid UTF-8 becomes U+FFFD) the same one wins when decoded.
		keys := v.MapKeys()
		slices.SortFunc(keys, pjCompareKeys)
		dst = append(dst, '{')
		for i, k := range keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = pjAppendKey(dst, f.mkey, k)
			dst = append(dst, ':')
			var ok bool
			if dst, ok = pjAppendValue(dst, f.value, v.MapIndex(k), depth); !ok {
				return dst, false
			}
		}
		return append(dst, '}'), true
	}
	return dst, false
}

func pjAppendValue(dst []byte, c pjValue, v reflect.Value, depth int) ([]byte, bool) {
	switch c.kind {
	case pjString:
		return pjAppendString(dst, v.String()), true
	case pjBool:
		return strconv.AppendBool(dst, v.Bool()), true
	case pjInt32:
		return strconv.AppendInt(dst, v.Int(), 10), true
	case pjUint32:
		return strconv.AppendUint(dst, v.Uint(), 10), true
	case pjInt64:
		return append(strconv.AppendInt(append(dst, '"'), v.Int(), 10), '"'), true
	case pjUint64:
		return append(strconv.AppendUint(append(dst, '"'), v.Uint(), 10), '"'), true
	case pjEnum:
		// Numbers without a name are written as numbers, as jsonpb does.
		if name, ok := c.names[int32(v.Int())]; ok {
			return pjAppendString(dst, name), true
		}
		return strconv.AppendInt(dst, v.Int(), 10), true
	case pjMessage:
		return pjAppendMessage(dst, v, depth+1)
	}
	return dst, false
}

// pjAppendKey writes a map key as jsonpb does: always a JSON string.
func pjAppendKey(dst []byte, c pjValue, k reflect.Value) []byte {
	switch c.kind {
	case pjString:
		return pjAppendString(dst, k.String())
	case pjBool:
		return append(strconv.AppendBool(append(dst, '"'), k.Bool()), '"')
	case pjInt32, pjInt64:
		return append(strconv.AppendInt(append(dst, '"'), k.Int(), 10), '"')
	default: // pjUint32, pjUint64: pjCompileField admits no other key
		return append(strconv.AppendUint(append(dst, '"'), k.Uint(), 10), '"')
	}
}

func pjCompareKeys(a, b reflect.Value) int {
	switch a.Kind() {
	case reflect.String:
		return strings.Compare(a.String(), b.String())
	case reflect.Bool:
		return cmp.Compare(pjBit(a.Bool()), pjBit(b.Bool()))
	case reflect.Int32, reflect.Int64:
		return cmp.Compare(a.Int(), b.Int())
	default:
		return cmp.Compare(a.Uint(), b.Uint())
	}
}

func pjBit(b bool) int {
	if b {
		return 1
	}
	return 0
}

// pjAppendString writes s as a JSON string. Invalid UTF-8 bytes become U+FFFD, as
// encoding/json, which jsonpb uses for strings, makes them.
func pjAppendString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for _, r := range s { // ranging over a string yields U+FFFD for each invalid byte
		switch {
		case r == '"' || r == '\\':
			dst = append(dst, '\\', byte(r))
		case r < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hex[r>>4], hex[r&0xf])
		default:
			dst = utf8.AppendRune(dst, r)
		}
	}
	return append(dst, '"')
}
