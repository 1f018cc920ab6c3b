package gen

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/golang/protobuf/jsonpb"
	protov1 "github.com/golang/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/wrapperspb"
	networking "istio.io/api/networking/v1alpha3"
	security "istio.io/api/security/v1beta1"
)

// pjWant is the reference: the type's own MarshalJSON, or jsonpb for types without one.
func pjWant(t *testing.T, m any) ([]byte, error) {
	t.Helper()
	if jm, ok := m.(json.Marshaler); ok {
		return jm.MarshalJSON()
	}
	s, err := (&jsonpb.Marshaler{}).MarshalToString(m.(protov1.Message))
	return []byte(s), err
}

// pjDecode decodes one JSON value, keeping numbers as written so that "80" and "80.0" differ.
func pjDecode(t *testing.T, b []byte) any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	if d.More() {
		t.Fatalf("trailing data after the value in %s", b)
	}
	return v
}

// pjCheck runs the walker on m and, when it does not give up, compares it with jsonpb. It also
// checks that the walker appends to dst and leaves dst alone when it gives up.
func pjCheck(t *testing.T, m any) (ok bool) {
	t.Helper()
	const prefix = "prefix"
	got, ok := appendProtoJSON([]byte(prefix), m)
	if !bytes.HasPrefix(got, []byte(prefix)) {
		t.Fatalf("dst lost: %q", got)
	}
	got = got[len(prefix):]
	if !ok {
		if len(got) > 0 {
			t.Fatalf("gave up but wrote %q", got)
		}
		return false
	}
	want, err := pjWant(t, m)
	if err != nil {
		t.Fatalf("walker wrote %s, jsonpb failed: %v", got, err)
	}
	if !json.Valid(got) {
		t.Fatalf("invalid JSON %q", got)
	}
	if g, w := pjDecode(t, got), pjDecode(t, want); !reflect.DeepEqual(g, w) {
		t.Fatalf("walker and jsonpb differ\nwalker: %s\njsonpb: %s", got, want)
	}
	return true
}

func pjExact(s string) *networking.StringMatch {
	return &networking.StringMatch{MatchType: &networking.StringMatch_Exact{Exact: s}}
}

func pjPrefix(s string) *networking.StringMatch {
	return &networking.StringMatch{MatchType: &networking.StringMatch_Prefix{Prefix: s}}
}

func pjRegex(s string) *networking.StringMatch {
	return &networking.StringMatch{MatchType: &networking.StringMatch_Regex{Regex: s}}
}

func pjTypicalVirtualService() *networking.VirtualService {
	return &networking.VirtualService{
		Hosts:    []string{"reviews.app.svc.cluster.local"},
		Gateways: []string{"mesh", "istio-system/ingress"},
		Http: []*networking.HTTPRoute{{
			Match: []*networking.HTTPMatchRequest{{Uri: pjPrefix("/api")}, {Uri: pjExact("/")}},
			Route: []*networking.HTTPRouteDestination{
				{Destination: &networking.Destination{Host: "reviews.app.svc.cluster.local", Subset: "v1", Port: &networking.PortSelector{Number: 9080}}, Weight: 90},
				{Destination: &networking.Destination{Host: "reviews.app.svc.cluster.local", Subset: "v2", Port: &networking.PortSelector{Number: 9080}}, Weight: 10},
			},
		}},
	}
}

func TestProtoJSONMatchesJSONPB(t *testing.T) {
	cases := map[string]any{
		"empty gateway": &networking.Gateway{},
		"gateway": &networking.Gateway{
			Selector: map[string]string{"istio": "ingressgateway", "app": "gw"},
			Servers: []*networking.Server{
				{
					Port:  &networking.Port{Number: 443, Name: "https", Protocol: "HTTPS"},
					Hosts: []string{"*.example.com", "app/reviews.example.com"},
					Tls: &networking.ServerTLSSettings{
						Mode:               networking.ServerTLSSettings_SIMPLE,
						CredentialName:     "wildcard-cert",
						MinProtocolVersion: networking.ServerTLSSettings_TLSV1_2,
						MaxProtocolVersion: networking.ServerTLSSettings_TLSV1_3,
						CipherSuites:       []string{"ECDHE-RSA-AES256-GCM-SHA384"},
						SubjectAltNames:    []string{"spiffe://cluster.local/ns/a/sa/b"},
						TlsCertificates:    []*networking.ServerTLSSettings_TLSCertificate{{ServerCertificate: "/c.pem", PrivateKey: "/k.pem"}, nil},
					},
					Name: "https-443",
				},
				{
					Port:  &networking.Port{Number: 15443, Name: "tls", Protocol: "TLS", TargetPort: 15443},
					Hosts: []string{"*.local"},
					Tls:   &networking.ServerTLSSettings{Mode: networking.ServerTLSSettings_AUTO_PASSTHROUGH},
				},
				{Port: &networking.Port{Number: 80}, Tls: &networking.ServerTLSSettings{HttpsRedirect: true}, Bind: "0.0.0.0"},
				{Tls: &networking.ServerTLSSettings{Mode: networking.ServerTLSSettings_ISTIO_MUTUAL}, DefaultEndpoint: "127.0.0.1:8080"},
				// PASSTHROUGH and TLS_AUTO are the zero values: an empty tls object.
				{Tls: &networking.ServerTLSSettings{Mode: networking.ServerTLSSettings_PASSTHROUGH}},
				// Numbers without a name are written as numbers.
				{Tls: &networking.ServerTLSSettings{Mode: 42, MinProtocolVersion: -1}},
			},
		},
		"typical virtual service": pjTypicalVirtualService(),
		"virtual service": &networking.VirtualService{
			Hosts:    []string{"reviews", "*.example.com"},
			Gateways: []string{"mesh"},
			ExportTo: []string{"."},
			Http: []*networking.HTTPRoute{
				{
					Name: "main",
					Match: []*networking.HTTPMatchRequest{
						{
							Name: "exact-empty",
							Uri:  pjExact(""),
							Headers: map[string]*networking.StringMatch{
								"x-user":  pjPrefix("jason"),
								"x-empty": pjExact(""),
								"x-any":   {},
								"x-nil":   nil,
							},
							QueryParams:     map[string]*networking.StringMatch{"q": pjRegex("^a.*$"), "r": pjRegex("")},
							WithoutHeaders:  map[string]*networking.StringMatch{"x-debug": pjExact("1")},
							IgnoreUriCase:   true,
							Port:            8080,
							SourceLabels:    map[string]string{"app": "productpage", "version": "v1"},
							Gateways:        []string{"mesh"},
							SourceNamespace: "app",
							StatPrefix:      "main",
						},
						{Method: pjExact("GET"), Authority: pjPrefix("a.example.com"), Scheme: pjRegex("https?")},
					},
					Route: []*networking.HTTPRouteDestination{
						{
							Destination: &networking.Destination{Host: "reviews", Subset: "v1", Port: &networking.PortSelector{Number: 9080}},
							Weight:      75,
							Headers: &networking.Headers{
								Request:  &networking.Headers_HeaderOperations{Set: map[string]string{"x-a": `quote " backslash \ newline` + "\n tab\t é ☃ \u2028 <&>"}, Add: map[string]string{"x-b": "b"}, Remove: []string{"x-c"}},
								Response: &networking.Headers_HeaderOperations{Remove: []string{"server"}},
							},
						},
						{Destination: &networking.Destination{Host: "reviews", Subset: "v2"}, Weight: 25},
						{Destination: &networking.Destination{Host: "reviews", Subset: "v3"}},
					},
					Rewrite:    &networking.HTTPRewrite{Uri: "/", Authority: "b", UriRegexRewrite: &networking.RegexRewrite{Match: "^/a(.*)", Rewrite: `/b\1`}},
					Retries:    &networking.HTTPRetry{Attempts: 3, RetryOn: "5xx,connect-failure"},
					CorsPolicy: &networking.CorsPolicy{AllowOrigins: []*networking.StringMatch{pjExact("https://a"), pjPrefix("")}, AllowMethods: []string{"GET", "POST"}, AllowHeaders: []string{"x-a"}, ExposeHeaders: []string{"x-b"}, UnmatchedPreflights: networking.CorsPolicy_IGNORE},
					Mirror:     &networking.Destination{Host: "mirror"},
					Mirrors:    []*networking.HTTPMirrorPolicy{{Destination: &networking.Destination{Host: "m2"}}},
					Headers:    &networking.Headers{Request: &networking.Headers_HeaderOperations{Set: map[string]string{"": ""}}},
				},
				{Name: "delegate", Match: []*networking.HTTPMatchRequest{{Uri: pjPrefix("/d")}}, Delegate: &networking.Delegate{Name: "d", Namespace: "n"}},
				{Name: "redirect", Redirect: &networking.HTTPRedirect{Uri: "/new", Authority: "new.example.com", RedirectCode: 301, Scheme: "https", PrefixRewrite: "/p", RedirectPort: &networking.HTTPRedirect_Port{Port: 8443}}},
				{Redirect: &networking.HTTPRedirect{RedirectPort: &networking.HTTPRedirect_DerivePort{DerivePort: networking.HTTPRedirect_FROM_REQUEST_PORT}}},
				// A set oneof member is written even when it is zero.
				{Redirect: &networking.HTTPRedirect{RedirectPort: &networking.HTTPRedirect_Port{}}},
				{Redirect: &networking.HTTPRedirect{RedirectPort: &networking.HTTPRedirect_DerivePort{}}},
				// A typed nil wrapper is an unset oneof.
				{Redirect: &networking.HTTPRedirect{RedirectPort: (*networking.HTTPRedirect_Port)(nil)}},
				{DirectResponse: &networking.HTTPDirectResponse{Status: 503, Body: &networking.HTTPBody{Specifier: &networking.HTTPBody_String_{String_: "unavailable"}}}},
				{Fault: &networking.HTTPFaultInjection{Abort: &networking.HTTPFaultInjection_Abort{ErrorType: &networking.HTTPFaultInjection_Abort_HttpStatus{HttpStatus: 503}}}},
				{Fault: &networking.HTTPFaultInjection{Abort: &networking.HTTPFaultInjection_Abort{ErrorType: &networking.HTTPFaultInjection_Abort_GrpcStatus{GrpcStatus: "UNAVAILABLE"}}}},
				// A zero float is unset, so it does not stop the walker.
				{MirrorPercentage: &networking.Percent{}},
				nil,
			},
			Tls: []*networking.TLSRoute{{
				Match: []*networking.TLSMatchAttributes{{SniHosts: []string{"a.example.com"}, Port: 443, DestinationSubnets: []string{"10.0.0.0/8"}, SourceLabels: map[string]string{"a": "b"}, SourceNamespace: "ns"}},
				Route: []*networking.RouteDestination{{Destination: &networking.Destination{Host: "a"}, Weight: 100}},
			}},
			Tcp: []*networking.TCPRoute{{
				Match: []*networking.L4MatchAttributes{{Port: 27017, SourceSubnet: "10.1.0.0/16", Gateways: []string{"mesh"}}},
				Route: []*networking.RouteDestination{{Destination: &networking.Destination{Host: "mongo", Port: &networking.PortSelector{Number: 5555}}}},
			}},
		},
		"destination rule": &networking.DestinationRule{
			Host:     "reviews.app.svc.cluster.local",
			ExportTo: []string{"*"},
			TrafficPolicy: &networking.TrafficPolicy{
				LoadBalancer: &networking.LoadBalancerSettings{LbPolicy: &networking.LoadBalancerSettings_Simple{Simple: networking.LoadBalancerSettings_LEAST_REQUEST}},
				ConnectionPool: &networking.ConnectionPoolSettings{
					Tcp:  &networking.ConnectionPoolSettings_TCPSettings{MaxConnections: 100},
					Http: &networking.ConnectionPoolSettings_HTTPSettings{H2UpgradePolicy: networking.ConnectionPoolSettings_HTTPSettings_UPGRADE, Http1MaxPendingRequests: 10, MaxRetries: -1, UseClientProtocol: true},
				},
				OutlierDetection:  &networking.OutlierDetection{ConsecutiveErrors: 7, MaxEjectionPercent: 100, OutlierDetectionHttpErrorCodes: []uint32{500, 503}},
				Tls:               &networking.ClientTLSSettings{Mode: networking.ClientTLSSettings_ISTIO_MUTUAL, Sni: "reviews", SubjectAltNames: []string{"spiffe://a"}},
				PortLevelSettings: []*networking.TrafficPolicy_PortTrafficPolicy{{Port: &networking.PortSelector{Number: 80}, Tls: &networking.ClientTLSSettings{Mode: networking.ClientTLSSettings_SIMPLE}}},
				Tunnel:            &networking.TrafficPolicy_TunnelSettings{Protocol: "CONNECT", TargetHost: "egress", TargetPort: 15008},
				ProxyProtocol:     &networking.TrafficPolicy_ProxyProtocol{Version: networking.TrafficPolicy_ProxyProtocol_V2},
			},
			Subsets: []*networking.Subset{
				{Name: "v1", Labels: map[string]string{"version": "v1"}},
				{Name: "v2", Labels: map[string]string{"version": "v2"}, TrafficPolicy: &networking.TrafficPolicy{
					LoadBalancer: &networking.LoadBalancerSettings{LbPolicy: &networking.LoadBalancerSettings_ConsistentHash{ConsistentHash: &networking.LoadBalancerSettings_ConsistentHashLB{
						HashKey:       &networking.LoadBalancerSettings_ConsistentHashLB_HttpCookie{HttpCookie: &networking.LoadBalancerSettings_ConsistentHashLB_HTTPCookie{Name: "user", Path: "/"}},
						HashAlgorithm: &networking.LoadBalancerSettings_ConsistentHashLB_RingHash_{RingHash: &networking.LoadBalancerSettings_ConsistentHashLB_RingHash{MinimumRingSize: math.MaxUint64}},
					}}},
				}},
				{Name: "v3", TrafficPolicy: &networking.TrafficPolicy{
					LoadBalancer: &networking.LoadBalancerSettings{LbPolicy: &networking.LoadBalancerSettings_ConsistentHash{ConsistentHash: &networking.LoadBalancerSettings_ConsistentHashLB{
						HashKey:         &networking.LoadBalancerSettings_ConsistentHashLB_UseSourceIp{UseSourceIp: false},
						HashAlgorithm:   &networking.LoadBalancerSettings_ConsistentHashLB_Maglev{},
						MinimumRingSize: 1 << 60,
					}}},
				}},
				// A oneof member holding a nil message is set: {}.
				{Name: "v4", TrafficPolicy: &networking.TrafficPolicy{LoadBalancer: &networking.LoadBalancerSettings{LbPolicy: &networking.LoadBalancerSettings_ConsistentHash{}}}},
				{Name: "v5", TrafficPolicy: &networking.TrafficPolicy{LoadBalancer: &networking.LoadBalancerSettings{LbPolicy: &networking.LoadBalancerSettings_Simple{}}}},
			},
			WorkloadSelector: nil,
		},
		"int64":           &networking.ServiceEntryStatus{ObservedGeneration: -1 << 62},
		"uint32 map keys": &security.PeerAuthentication{PortLevelMtls: map[uint32]*security.PeerAuthentication_MutualTLS{8080: {}, 0: {}, 9: nil}},
		"service entry": &networking.ServiceEntry{
			Hosts:      []string{"api.example.com"},
			Location:   networking.ServiceEntry_MESH_EXTERNAL,
			Resolution: networking.ServiceEntry_DNS,
			Ports:      []*networking.ServicePort{{Number: 443, Protocol: "TLS", Name: "tls"}},
			Endpoints:  []*networking.WorkloadEntry{{Address: "1.2.3.4", Ports: map[string]uint32{"tls": 8443}, Labels: map[string]string{"a": "b"}, Weight: 3}},
		},
		"sidecar": &networking.Sidecar{
			Egress:                []*networking.IstioEgressListener{{Hosts: []string{"./*"}, CaptureMode: networking.CaptureMode_NONE}},
			OutboundTrafficPolicy: &networking.OutboundTrafficPolicy{Mode: networking.OutboundTrafficPolicy_REGISTRY_ONLY},
		},
	}
	for name, m := range cases {
		t.Run(name, func(t *testing.T) {
			if !pjCheck(t, m) {
				t.Fatal("gave up")
			}
		})
	}
}

// TestProtoJSONGenerated: every spec meshgen generates takes the walker, not the fallback,
// and writes what its own MarshalJSON writes.
func TestProtoJSONGenerated(t *testing.T) {
	var objs []Object
	for _, dir := range []string{"mcsps-test", "three-sites"} {
		objs = append(objs, Generate(example(t, dir))...)
	}
	objs = append(objs, Generate(input(3))...)
	n := 0
	for _, o := range objs {
		var spec json.Marshaler
		switch b := o.Body.(type) {
		case *gateway:
			spec = b.Spec.Gateway
		case *virtualService:
			spec = b.Spec.VirtualService
		case *destinationRule:
			spec = b.Spec.DestinationRule
		case *peerAuthentication:
			spec = b.Spec.PeerAuthentication
		default:
			continue
		}
		got, ok := appendProtoJSON(nil, spec)
		if !ok {
			t.Errorf("%s: the walker gave up", o.Path())
			continue
		}
		want, err := spec.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(pjDecode(t, got), pjDecode(t, want)) {
			t.Errorf("%s: walker\n%s\njsonpb\n%s", o.Path(), got, want)
		}
		n++
	}
	if n < 20 {
		t.Errorf("only %d Istio specs checked", n)
	}
}

func TestProtoJSONGivesUp(t *testing.T) {
	route := func(r *networking.HTTPRoute) *networking.VirtualService {
		return &networking.VirtualService{Hosts: []string{"a"}, Http: []*networking.HTTPRoute{r}}
	}
	var nilVS *networking.VirtualService
	cases := map[string]any{
		"duration":          route(&networking.HTTPRoute{Timeout: durationpb.New(1e9)}),
		"empty duration":    route(&networking.HTTPRoute{Retries: &networking.HTTPRetry{PerTryTimeout: &durationpb.Duration{}}}),
		"float":             route(&networking.HTTPRoute{Fault: &networking.HTTPFaultInjection{Abort: &networking.HTTPFaultInjection_Abort{Percentage: &networking.Percent{Value: 12.5}}}}),
		"negative zero":     route(&networking.HTTPRoute{MirrorPercentage: &networking.Percent{Value: math.Copysign(0, -1)}}),
		"wrapper":           route(&networking.HTTPRoute{MirrorPercent: wrapperspb.UInt32(50)}),
		"bytes":             route(&networking.HTTPRoute{DirectResponse: &networking.HTTPDirectResponse{Body: &networking.HTTPBody{Specifier: &networking.HTTPBody_Bytes{Bytes: []byte("x")}}}}),
		"empty bytes":       route(&networking.HTTPRoute{DirectResponse: &networking.HTTPDirectResponse{Body: &networking.HTTPBody{Specifier: &networking.HTTPBody_Bytes{}}}}),
		"oneof duration":    route(&networking.HTTPRoute{Fault: &networking.HTTPFaultInjection{Delay: &networking.HTTPFaultInjection_Delay{HttpDelayType: &networking.HTTPFaultInjection_Delay_FixedDelay{}}}}),
		"unregistered enum": &security.AuthorizationPolicy{Action: security.AuthorizationPolicy_DENY},
		"nil message":       nilVS,
		"nil":               nil,
		"not a pointer":     "spec",
		"not a message":     &struct{ Name string }{"a"},
	}
	for name, m := range cases {
		t.Run(name, func(t *testing.T) {
			if pjCheck(t, m) {
				t.Fatal("did not give up")
			}
		})
	}
}

// Invalid UTF-8 keys that all write as U+FFFD collide; the decoder keeps the last, so the walker
// must order keys as jsonpb does. Repeated because Go's map order is random.
func TestProtoJSONCollidingMapKeys(t *testing.T) {
	m := &networking.Subset{Labels: map[string]string{"\xff": "a", "\xfe": "b", "\xc3": "c", "\xc4": "d"}}
	for range 20 {
		if !pjCheck(t, m) {
			t.Fatal("gave up")
		}
	}
}

// A proto3 optional field is a pointer to a scalar, written whenever it is not nil. No message
// in this module's dependencies has one, hence a struct shaped like generated code.
func TestProtoJSONOptional(t *testing.T) {
	type msg struct {
		state struct{}
		Count *int32                                `protobuf:"varint,1,opt,name=count,proto3,oneof"`
		Name  *string                               `protobuf:"bytes,2,opt,name=name,proto3,oneof"`
		Mode  *networking.ClientTLSSettings_TLSmode `protobuf:"varint,3,opt,name=tls_mode,json=tlsMode,proto3,enum=x,oneof"`
		Unset *bool                                 `protobuf:"varint,4,opt,name=unset,proto3,oneof"`
		Size  *uint64                               `protobuf:"varint,5,opt,name=size,proto3,oneof"`
	}
	zero, empty, mode, size := int32(0), "", networking.ClientTLSSettings_DISABLE, uint64(7)
	got, ok := appendProtoJSON(nil, &msg{Count: &zero, Name: &empty, Mode: &mode, Size: &size})
	if want := `{"count":0,"name":"","tlsMode":"DISABLE","size":"7"}`; !ok || string(got) != want {
		t.Fatalf("got %s %v, want %s", got, ok, want)
	}
	// proto2 (no "proto3" in the tag) has defaults, required fields and extensions: not covered.
	type proto2 struct {
		Name *string `protobuf:"bytes,1,opt,name=name"`
	}
	if got, ok := appendProtoJSON(nil, &proto2{}); ok {
		t.Fatalf("proto2 covered: %s", got)
	}
}

// A pointer cycle, impossible to write as JSON, gives up instead of overflowing the stack.
func TestProtoJSONCycle(t *testing.T) {
	type node struct {
		state struct{}
		Name  string `protobuf:"bytes,1,opt,name=name,proto3"`
		Next  *node  `protobuf:"bytes,2,opt,name=next,proto3"`
	}
	n := &node{Name: "a"}
	if got, ok := appendProtoJSON(nil, &node{Next: n}); !ok || string(got) != `{"next":{"name":"a"}}` {
		t.Fatalf("got %s %v", got, ok)
	}
	n.Next = n
	if got, ok := appendProtoJSON(nil, n); ok {
		t.Fatalf("a cycle was covered: %.100s", got)
	}
}

// pjFiller sets random fields of generated messages: random subsets of fields, nested messages
// to some depth, oneofs with a random member, enums with and without names, lists and maps
// (with nil messages in them), and strings that need escaping or are not valid UTF-8.
type pjFiller struct {
	r        *rand.Rand
	wrappers map[reflect.Type][]reflect.Type // oneof interface type -> its *wrapper types
}

const pjMaxFillDepth = 5

var pjStrings = []string{"", "a", "reviews.app.svc.cluster.local", `"`, `\`, "\n", "\t", "\x00", "\x1f", "\x7f",
	"é", "☃", "\u2028", "😀", "\xff", "\xc3", "\xed\xa0\x80", "<&>", "*", " ", "/api/v1"}

func (f *pjFiller) str() string {
	var b strings.Builder
	for range f.r.IntN(4) {
		b.WriteString(pjStrings[f.r.IntN(len(pjStrings))])
	}
	return b.String()
}

func (f *pjFiller) message(p reflect.Value, depth int) {
	s := p.Elem()
	share := 3 // in 4 fields near the root, 2 deeper down
	if depth > 2 {
		share = 2
	}
	for i := range s.NumField() {
		sf := s.Type().Field(i)
		if !sf.IsExported() || f.r.IntN(4) >= share {
			continue
		}
		// Fields the walker gives up on are set rarely, or few values would be covered.
		if pjRare(sf.Type) && f.r.IntN(16) != 0 {
			continue
		}
		if sf.Tag.Get("protobuf_oneof") != "" {
			f.oneof(p, s.Field(i), depth)
			continue
		}
		f.value(s.Field(i), depth)
	}
}

func pjRare(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice && t.Elem().Kind() != reflect.Uint8 {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Float32, reflect.Float64, reflect.Slice:
		return true
	}
	return strings.HasPrefix(t.PkgPath(), "google.golang.org/protobuf/")
}

func (f *pjFiller) oneof(msg, v reflect.Value, depth int) {
	ws := f.oneofWrappers(msg.Type(), v.Type())
	w := ws[f.r.IntN(len(ws))]
	if f.r.IntN(10) == 0 {
		v.Set(reflect.Zero(w)) // a typed nil wrapper
		return
	}
	wv := reflect.New(w.Elem())
	if f.r.IntN(4) != 0 { // else the member keeps its zero value, still set
		f.value(wv.Elem().Field(0), depth)
	}
	v.Set(wv)
}

// oneofWrappers lists the wrapper types of a oneof. Go's reflect cannot enumerate the types
// implementing an interface, so this asks protobuf reflection, which a test may use.
func (f *pjFiller) oneofWrappers(msg, iface reflect.Type) []reflect.Type {
	if ws, ok := f.wrappers[iface]; ok {
		return ws
	}
	md := reflect.New(msg.Elem()).Interface().(interface{ ProtoReflect() protoreflect.Message }).ProtoReflect().Descriptor()
	for i := range md.Oneofs().Len() {
		od := md.Oneofs().Get(i)
		var goField reflect.StructField
		for j := range msg.Elem().NumField() {
			if sf := msg.Elem().Field(j); sf.Tag.Get("protobuf_oneof") == string(od.Name()) {
				goField = sf
			}
		}
		if goField.Type == nil {
			continue // a proto3 optional field's synthetic oneof
		}
		for j := range od.Fields().Len() {
			fd := od.Fields().Get(j)
			m := reflect.New(msg.Elem()).Interface().(interface{ ProtoReflect() protoreflect.Message }).ProtoReflect()
			m.Set(fd, m.NewField(fd))
			w := reflect.ValueOf(m.Interface()).Elem().FieldByIndex(goField.Index).Elem().Type()
			f.wrappers[goField.Type] = append(f.wrappers[goField.Type], w)
		}
	}
	return f.wrappers[iface]
}

func (f *pjFiller) value(v reflect.Value, depth int) {
	t := v.Type()
	switch t.Kind() {
	case reflect.String:
		v.SetString(f.str())
	case reflect.Bool:
		v.SetBool(f.r.IntN(2) == 0)
	case reflect.Int32:
		if t == pjInt32Type {
			v.SetInt([]int64{0, 1, -1, 80, math.MaxInt32, math.MinInt32, f.r.Int64N(1 << 20)}[f.r.IntN(7)])
		} else {
			v.SetInt(int64(f.r.IntN(9) - 2)) // enums: known names and unknown numbers
		}
	case reflect.Int64:
		v.SetInt([]int64{0, 1, -1, math.MaxInt64, math.MinInt64, 1<<53 + 1}[f.r.IntN(6)])
	case reflect.Uint32:
		v.SetUint([]uint64{0, 1, 443, math.MaxUint32}[f.r.IntN(4)])
	case reflect.Uint64:
		v.SetUint([]uint64{0, 1, math.MaxUint64, 1<<53 + 1}[f.r.IntN(4)])
	case reflect.Float32, reflect.Float64:
		v.SetFloat([]float64{0, math.Copysign(0, -1), 0.5, 100}[f.r.IntN(4)])
	case reflect.Slice:
		n := f.r.IntN(4)
		v.Set(reflect.MakeSlice(t, n, n))
		for i := range n {
			f.value(v.Index(i), depth)
		}
	case reflect.Map:
		n := f.r.IntN(4)
		v.Set(reflect.MakeMapWithSize(t, n))
		for range n {
			k, e := reflect.New(t.Key()).Elem(), reflect.New(t.Elem()).Elem()
			f.value(k, depth)
			f.value(e, depth)
			v.SetMapIndex(k, e)
		}
	case reflect.Pointer:
		if t.Elem().Kind() != reflect.Struct {
			p := reflect.New(t.Elem())
			f.value(p.Elem(), depth)
			v.Set(p)
			return
		}
		if depth >= pjMaxFillDepth || f.r.IntN(8) == 0 {
			return // nil: omitted, or {} in a list, a map or a oneof
		}
		p := reflect.New(t.Elem())
		if !strings.HasPrefix(t.Elem().PkgPath(), "google.golang.org/protobuf/") { // valid well-known values are not the point
			f.message(p, depth+1)
		}
		v.Set(p)
	}
}

func TestProtoJSONRandom(t *testing.T) {
	roots := []reflect.Type{
		reflect.TypeFor[*networking.Gateway](),
		reflect.TypeFor[*networking.VirtualService](),
		reflect.TypeFor[*networking.DestinationRule](),
		reflect.TypeFor[*networking.ServiceEntry](),
		reflect.TypeFor[*networking.Sidecar](),
	}
	f := &pjFiller{r: rand.New(rand.NewPCG(1, 2)), wrappers: map[reflect.Type][]reflect.Type{}}
	const n = 5000
	covered := map[reflect.Type]int{}
	total := 0
	for i := range n {
		root := roots[i%len(roots)]
		m := reflect.New(root.Elem())
		f.message(m, 0)
		if pjCheck(t, m.Interface()) {
			covered[root]++
			total++
		}
	}
	for _, root := range roots {
		t.Logf("%v: %d of %d covered", root, covered[root], n/len(roots))
	}
	t.Logf("all: %d of %d covered, %d gave up", total, n, n-total)
	if total*10 < n*3 {
		t.Fatalf("only %d of %d random values covered: the test says little", total, n)
	}
}

// pjLazyInitDone reports whether protobuf-go has lazily initialised a file descriptor (its
// unexported once flag), and false for ok if this protobuf version has no such flag.
func pjLazyInitDone(fd protoreflect.FileDescriptor) (done, ok bool) {
	v := reflect.ValueOf(fd)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return false, false
	}
	once := v.Elem().FieldByName("once")
	if !once.IsValid() || once.Kind() != reflect.Uint32 {
		return false, false
	}
	return once.Uint() != 0, true
}

// The point of the walker is that protobuf reflection stays cold. In a fresh process (this test
// binary, run again) the walker must leave the descriptors of the specs' files uninitialised,
// and MarshalJSON must then initialise them, which shows the probe works. It also logs the cost
// of each first call.
func TestProtoJSONLeavesReflectionCold(t *testing.T) {
	if os.Getenv("MESHGEN_PROTOJSON_CHILD") == "" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestProtoJSONLeavesReflectionCold$", "-test.v", "-test.count=1")
		cmd.Env = append(os.Environ(), "MESHGEN_PROTOJSON_CHILD=1")
		out, err := cmd.CombinedOutput()
		if err != nil || !bytes.Contains(out, []byte("--- PASS: TestProtoJSONLeavesReflectionCold")) {
			t.Fatalf("fresh process: %v\n%s", err, out)
		}
		for line := range strings.Lines(string(out)) {
			if strings.Contains(line, "first ") {
				t.Log(strings.TrimSpace(line))
			}
		}
		return
	}
	files := []protoreflect.FileDescriptor{
		networking.File_networking_v1alpha3_gateway_proto,
		networking.File_networking_v1alpha3_virtual_service_proto,
		networking.File_networking_v1alpha3_destination_rule_proto,
	}
	cold := func() bool {
		for _, fd := range files {
			done, ok := pjLazyInitDone(fd)
			if !ok {
				t.Skip("this protobuf-go has no File.once to probe")
			}
			if done {
				return false
			}
		}
		return true
	}
	if !cold() {
		t.Skip("protobuf reflection was initialised before the test ran")
	}
	vs := pjTypicalVirtualService()
	start := time.Now()
	b, ok := appendProtoJSON(nil, vs)
	t.Logf("first appendProtoJSON: %v", time.Since(start))
	gw := &networking.Gateway{Servers: []*networking.Server{{Port: &networking.Port{Number: 443}, Tls: &networking.ServerTLSSettings{Mode: networking.ServerTLSSettings_SIMPLE}}}}
	dr := &networking.DestinationRule{Host: "a", TrafficPolicy: &networking.TrafficPolicy{Tls: &networking.ClientTLSSettings{Mode: networking.ClientTLSSettings_ISTIO_MUTUAL}}}
	for _, m := range []any{gw, dr} {
		if _, ok2 := appendProtoJSON(nil, m); !ok2 {
			ok = false
		}
	}
	if !ok {
		t.Fatal("gave up")
	}
	if !cold() {
		t.Fatal("the walker initialised protobuf reflection")
	}
	start = time.Now()
	want, err := vs.MarshalJSON()
	t.Logf("first MarshalJSON: %v", time.Since(start))
	if err != nil {
		t.Fatal(err)
	}
	if cold() {
		t.Fatal("MarshalJSON left the descriptors cold: the probe sees nothing")
	}
	if !reflect.DeepEqual(pjDecode(t, b), pjDecode(t, want)) {
		t.Fatalf("walker: %s\njsonpb: %s", b, want)
	}
}

func BenchmarkProtoJSON(b *testing.B) {
	vs := pjTypicalVirtualService()
	b.Run("appendProtoJSON", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for b.Loop() {
			var ok bool
			if buf, ok = appendProtoJSON(buf[:0], vs); !ok {
				b.Fatal("gave up")
			}
		}
	})
	b.Run("MarshalJSON", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := vs.MarshalJSON(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
