// xdsdump connects to an istiod as one proxy (a sidecar or a gateway), subscribes the way
// Envoy does (CDS, then EDS for the EDS clusters, then LDS, then RDS for the listeners'
// route configurations), and prints what it got as JSON: every EDS cluster's endpoints (also
// with each one's locality and priority) and every route with its weighted destinations. The
// live-mesh test (pkg/e2e/live_*) compares that with the MeshConfig. It speaks plain ADS over gRPC with Envoy's own API types, so
// what it prints is exactly what istiod would send an Envoy with this node identity.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	tcpv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/tcp_proxy/v3"
	discoveryv3 "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/structpb"
)

const (
	typeCDS = "type.googleapis.com/envoy.config.cluster.v3.Cluster"
	typeEDS = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment"
	typeLDS = "type.googleapis.com/envoy.config.listener.v3.Listener"
	typeRDS = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration"
)

// Dump is the JSON printed on stdout.
type Dump struct {
	// Endpoints maps each EDS cluster to its endpoints, "ip:port", sorted.
	Endpoints map[string][]string `json:"endpoints"`
	Routes    []Route             `json:"routes"`
	// Outlier lists the clusters that carry outlier detection, sorted.
	Outlier []string `json:"outlier"`
	// Localities maps each EDS cluster to its endpoints with the locality and priority of
	// the group istiod put each in, sorted by address.
	Localities map[string][]Placed `json:"localities"`
}

// Placed is one endpoint with its group's locality and priority.
type Placed struct {
	Address  string `json:"address"`
	Region   string `json:"region,omitempty"`
	Zone     string `json:"zone,omitempty"`
	Priority uint32 `json:"priority"`
}

// Route is one route of one virtual host.
type Route struct {
	Config  string   `json:"config"`
	Domains []string `json:"domains"`
	Match   string   `json:"match"`
	// Redirect: the route or its virtual host redirects (HTTPS redirect) instead of forwarding.
	Redirect bool `json:"redirect,omitempty"`
	// Weights maps each destination cluster to its weight; a single destination has 100.
	Weights map[string]uint32 `json:"weights,omitempty"`
}

func main() {
	addr := flag.String("addr", "", "istiod's plain-text xDS address, host:port")
	typ := flag.String("type", "sidecar", "node type: sidecar or router (a gateway)")
	ip := flag.String("ip", "", "the proxy's pod IP")
	ns := flag.String("namespace", "", "the proxy's namespace")
	name := flag.String("name", "", "the proxy's pod name")
	clusterID := flag.String("cluster", "", "CLUSTER_ID, as the injector sets it")
	network := flag.String("network", "", "NETWORK, as the injector sets it")
	labels := flag.String("labels", "", "the pod's labels, k=v,k=v")
	locality := flag.String("locality", "", "the proxy's locality, region/zone, as Envoy's bootstrap sends it")
	timeout := flag.Duration("timeout", 30*time.Second, "give up after this long")
	extra := map[string]string{}
	flag.Func("meta", "K=V: one more metadata field, as pilot-agent sets it from an env ISTIO_META_K (repeatable)", func(kv string) error {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return fmt.Errorf("want K=V, got %q", kv)
		}
		extra[k] = v
		return nil
	})
	flag.Parse()
	if *addr == "" || *ip == "" || *ns == "" || *name == "" {
		fmt.Fprintln(os.Stderr, "usage: xdsdump -addr HOST:PORT -ip IP -namespace NS -name POD [-type router] [-cluster C] [-network N] [-labels k=v,...]")
		os.Exit(2)
	}
	meta := map[string]any{
		// Above every release, so istiod enables all features it gates by proxy version.
		"ISTIO_VERSION": "65536.65536.65536",
		"NAMESPACE":     *ns,
		"NAME":          *name,
		"CLUSTER_ID":    *clusterID,
		"NETWORK":       *network,
	}
	for k, v := range extra {
		meta[k] = v
	}
	lm := map[string]any{}
	for _, kv := range strings.Split(*labels, ",") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			lm[k] = v
		}
	}
	meta["LABELS"] = lm
	md, err := structpb.NewStruct(meta)
	if err != nil {
		fail(err)
	}
	node := &corev3.Node{
		Id:       fmt.Sprintf("%s~%s~%s.%s~%s.svc.cluster.local", *typ, *ip, *name, *ns, *ns),
		Metadata: md,
	}
	if *locality != "" {
		region, zone, _ := strings.Cut(*locality, "/")
		node.Locality = &corev3.Locality{Region: region, Zone: zone}
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	d, err := dump(ctx, *addr, node)
	if err != nil {
		fail(err)
	}
	out, _ := json.MarshalIndent(d, "", "  ")
	fmt.Println(string(out))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "xdsdump:", err)
	os.Exit(1)
}

// dump subscribes in Envoy's order and returns the first complete set of answers.
func dump(ctx context.Context, addr string, node *corev3.Node) (*Dump, error) {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(1<<30)))
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	stream, err := discoveryv3.NewAggregatedDiscoveryServiceClient(conn).StreamAggregatedResources(ctx)
	if err != nil {
		return nil, err
	}
	send := func(typ string, names []string, ack *discoveryv3.DiscoveryResponse) error {
		req := &discoveryv3.DiscoveryRequest{Node: node, TypeUrl: typ, ResourceNames: names}
		if ack != nil {
			req.VersionInfo, req.ResponseNonce = ack.VersionInfo, ack.Nonce
		}
		return stream.Send(req)
	}
	if err := send(typeCDS, nil, nil); err != nil {
		return nil, err
	}
	d := &Dump{Endpoints: map[string][]string{}, Localities: map[string][]Placed{}}
	var edsNames, rdsNames []string
	var gotCDS, gotEDS, gotLDS, gotRDS bool
	for {
		if gotCDS && gotLDS && (gotEDS || len(edsNames) == 0) && (gotRDS || len(rdsNames) == 0) {
			return d, nil
		}
		resp, err := stream.Recv()
		if err != nil {
			return nil, fmt.Errorf("receiving (have CDS %v, EDS %v, LDS %v, RDS %v): %w", gotCDS, gotEDS, gotLDS, gotRDS, err)
		}
		switch resp.TypeUrl {
		case typeCDS:
			if gotCDS {
				err = send(typeCDS, nil, resp)
				break
			}
			gotCDS = true
			for _, a := range resp.Resources {
				var c clusterv3.Cluster
				if err := unmarshal(a, &c); err != nil {
					return nil, err
				}
				if c.GetType() == clusterv3.Cluster_EDS {
					edsNames = append(edsNames, c.Name)
				}
				if c.OutlierDetection != nil {
					d.Outlier = append(d.Outlier, c.Name)
				}
			}
			sort.Strings(d.Outlier)
			if err = send(typeCDS, nil, resp); err == nil {
				if len(edsNames) > 0 {
					err = send(typeEDS, edsNames, nil)
				} else {
					err = send(typeLDS, nil, nil)
				}
			}
		case typeEDS:
			first := !gotEDS
			gotEDS = true
			for _, a := range resp.Resources {
				var cla endpointv3.ClusterLoadAssignment
				if err := unmarshal(a, &cla); err != nil {
					return nil, err
				}
				d.Endpoints[cla.ClusterName] = endpoints(&cla)
				d.Localities[cla.ClusterName] = placed(&cla)
			}
			if err = send(typeEDS, edsNames, resp); err == nil && first {
				err = send(typeLDS, nil, nil)
			}
		case typeLDS:
			first := !gotLDS
			gotLDS = true
			if first {
				seen := map[string]bool{}
				for _, a := range resp.Resources {
					var l listenerv3.Listener
					if err := unmarshal(a, &l); err != nil {
						return nil, err
					}
					d.Routes = append(d.Routes, tcpRoutes(&l)...)
					for _, n := range routeNames(&l) {
						if !seen[n] {
							seen[n] = true
							rdsNames = append(rdsNames, n)
						}
					}
				}
				sort.Strings(rdsNames)
			}
			if err = send(typeLDS, nil, resp); err == nil && first && len(rdsNames) > 0 {
				err = send(typeRDS, rdsNames, nil)
			}
		case typeRDS:
			gotRDS = true
			var tcp []Route
			for _, r := range d.Routes {
				if r.Match == "tcp" {
					tcp = append(tcp, r)
				}
			}
			d.Routes = tcp
			for _, a := range resp.Resources {
				var rc routev3.RouteConfiguration
				if err := unmarshal(a, &rc); err != nil {
					return nil, err
				}
				d.Routes = append(d.Routes, routes(&rc)...)
			}
			err = send(typeRDS, rdsNames, resp)
		}
		if err != nil {
			return nil, err
		}
	}
}

func unmarshal(a *anypb.Any, m proto.Message) error {
	if err := a.UnmarshalTo(m); err != nil {
		return fmt.Errorf("%s: %w", a.TypeUrl, err)
	}
	return nil
}

func endpoints(cla *endpointv3.ClusterLoadAssignment) []string {
	eps := []string{}
	for _, p := range placed(cla) {
		eps = append(eps, p.Address)
	}
	return eps
}

func placed(cla *endpointv3.ClusterLoadAssignment) []Placed {
	out := []Placed{}
	for _, le := range cla.Endpoints {
		for _, lb := range le.LbEndpoints {
			sa := lb.GetEndpoint().GetAddress().GetSocketAddress()
			if sa == nil {
				continue
			}
			out = append(out, Placed{Address: net.JoinHostPort(sa.Address, strconv.Itoa(int(sa.GetPortValue()))),
				Region: le.GetLocality().GetRegion(), Zone: le.GetLocality().GetZone(), Priority: le.Priority})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Address < out[j].Address })
	return out
}

// routeNames returns the RDS names of a listener's HTTP connection managers.
func routeNames(l *listenerv3.Listener) []string {
	var names []string
	chains := append([]*listenerv3.FilterChain{l.DefaultFilterChain}, l.FilterChains...)
	for _, fc := range chains {
		for _, f := range fc.GetFilters() {
			tc := f.GetTypedConfig()
			if tc == nil || !strings.HasSuffix(tc.TypeUrl, "HttpConnectionManager") {
				continue
			}
			var hcm hcmv3.HttpConnectionManager
			if err := tc.UnmarshalTo(&hcm); err != nil {
				continue
			}
			if n := hcm.GetRds().GetRouteConfigName(); n != "" {
				names = append(names, n)
			}
		}
	}
	return names
}

// tcpRoutes are a listener's TCP proxies, as routes whose one domain is the listener's
// address ("VIP:port") and whose match is "tcp".
func tcpRoutes(l *listenerv3.Listener) []Route {
	sa := l.GetAddress().GetSocketAddress()
	if sa == nil {
		return nil
	}
	addr := net.JoinHostPort(sa.Address, strconv.Itoa(int(sa.GetPortValue())))
	var out []Route
	for _, fc := range append([]*listenerv3.FilterChain{l.DefaultFilterChain}, l.FilterChains...) {
		for _, f := range fc.GetFilters() {
			tc := f.GetTypedConfig()
			if tc == nil || !strings.HasSuffix(tc.TypeUrl, "TcpProxy") {
				continue
			}
			var tp tcpv3.TcpProxy
			if err := tc.UnmarshalTo(&tp); err != nil {
				continue
			}
			w := map[string]uint32{}
			if c := tp.GetCluster(); c != "" {
				w[c] = 100
			}
			for _, wc := range tp.GetWeightedClusters().GetClusters() {
				w[wc.Name] += wc.Weight
			}
			out = append(out, Route{Config: l.Name, Domains: []string{addr}, Match: "tcp", Weights: w})
		}
	}
	return out
}

func routes(rc *routev3.RouteConfiguration) []Route {
	var out []Route
	for _, vh := range rc.VirtualHosts {
		for _, r := range vh.Routes {
			o := Route{Config: rc.Name, Domains: vh.Domains, Match: match(r.GetMatch())}
			// httpsRedirect: Istio makes the virtual host require TLS, so Envoy redirects
			// every plain request before any route forwards it.
			if r.GetRedirect() != nil || vh.RequireTls != routev3.VirtualHost_NONE {
				o.Redirect = true
			}
			if a := r.GetRoute(); a != nil {
				o.Weights = map[string]uint32{}
				if c := a.GetCluster(); c != "" {
					o.Weights[c] = 100
				}
				for _, wc := range a.GetWeightedClusters().GetClusters() {
					o.Weights[wc.Name] += wc.GetWeight().GetValue()
				}
			}
			out = append(out, o)
		}
	}
	return out
}

func match(m *routev3.RouteMatch) string {
	switch {
	case m.GetPrefix() != "":
		return "prefix:" + m.GetPrefix()
	case m.GetPath() != "":
		return "exact:" + m.GetPath()
	case m.GetSafeRegex() != nil:
		return "regex:" + m.GetSafeRegex().GetRegex()
	case m.GetPathSeparatedPrefix() != "":
		return "prefix:" + m.GetPathSeparatedPrefix()
	}
	return ""
}
