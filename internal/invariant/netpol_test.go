package invariant

import (
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/meshgen/meshgen/pkg/api"
)

// TestAllows: the rules' ends of a connection reach pkg/netpol as Kubernetes means them (an
// address outside, a pod with its namespace's labels), one policy at a time.
func TestAllows(t *testing.T) {
	web := Peer{Namespace: "app", Labels: map[string]string{"app": "web"}}
	db := Peer{Namespace: "data", Labels: map[string]string{"app": "db"}}
	tests := []struct {
		name, policy string
		src, dst     Peer
		proto        string
		port         int
		want         bool
	}{
		{"no policy", ``, outside(), web, "TCP", 80, true},
		{"other pods' policy", `{metadata: {namespace: app}, spec: {podSelector: {matchLabels: {app: other}}, policyTypes: [Ingress]}}`, outside(), web, "TCP", 80, true},
		{"isolated, no rule", `{metadata: {namespace: app}, spec: {podSelector: {}, policyTypes: [Ingress]}}`, outside(), web, "TCP", 80, false},
		{"ingress only does not isolate egress", `{metadata: {namespace: app}, spec: {podSelector: {}, policyTypes: [Ingress]}}`, web, outside(), "TCP", 80, true},
		{"policyTypes default to Ingress", `{metadata: {namespace: app}, spec: {podSelector: {}}}`, outside(), web, "TCP", 80, false},
		{"policyTypes default to Egress with egress rules", `{metadata: {namespace: app}, spec: {podSelector: {}, egress: [{ports: [{port: 53}]}]}}`, web, outside(), "TCP", 80, false},
		{"port open", `{metadata: {namespace: app}, spec: {podSelector: {}, policyTypes: [Ingress], ingress: [{ports: [{port: 80}]}]}}`, outside(), web, "TCP", 80, true},
		{"other protocol", `{metadata: {namespace: app}, spec: {podSelector: {}, policyTypes: [Ingress], ingress: [{ports: [{port: 80, protocol: UDP}]}]}}`, outside(), web, "TCP", 80, false},
		{"port range", `{metadata: {namespace: app}, spec: {podSelector: {}, policyTypes: [Ingress], ingress: [{ports: [{port: 15000, endPort: 15500}]}]}}`, outside(), web, "TCP", 15443, true},
		{"named port", `{metadata: {namespace: app}, spec: {podSelector: {}, policyTypes: [Ingress], ingress: [{ports: [{port: http}]}]}}`, outside(), web, "TCP", 80, false},
		{"ipBlock holds outside", `{metadata: {namespace: app}, spec: {podSelector: {}, policyTypes: [Ingress], ingress: [{from: [{ipBlock: {cidr: 0.0.0.0/0}}]}]}}`, outside(), web, "TCP", 80, true},
		{"ipBlock except", `{metadata: {namespace: app}, spec: {podSelector: {}, policyTypes: [Ingress], ingress: [{from: [{ipBlock: {cidr: 0.0.0.0/0, except: [203.0.113.0/24]}}]}]}}`, outside(), web, "TCP", 80, false},
		{"namespace peer is not outside", `{metadata: {namespace: app}, spec: {podSelector: {}, policyTypes: [Ingress], ingress: [{from: [{namespaceSelector: {}}]}]}}`, outside(), web, "TCP", 80, false},
		{"namespace peer", `{metadata: {namespace: app}, spec: {podSelector: {}, policyTypes: [Ingress], ingress: [{from: [{namespaceSelector: {matchLabels: {tier: data}}}]}]}}`, db, web, "TCP", 80, true},
		{"namespace peer, other labels", `{metadata: {namespace: app}, spec: {podSelector: {}, policyTypes: [Ingress], ingress: [{from: [{namespaceSelector: {matchLabels: {tier: front}}}]}]}}`, db, web, "TCP", 80, false},
		{"pod peer in the policy's namespace only", `{metadata: {namespace: app}, spec: {podSelector: {}, policyTypes: [Ingress], ingress: [{from: [{podSelector: {matchLabels: {app: db}}}]}]}}`, db, web, "TCP", 80, false},
		{"matchExpressions", `{metadata: {namespace: data}, spec: {podSelector: {matchExpressions: [{key: app, operator: In, values: [db]}]}, policyTypes: [Egress]}}`, db, outside(), "TCP", 80, false},
		{"matchExpressions NotIn", `{metadata: {namespace: data}, spec: {podSelector: {matchExpressions: [{key: app, operator: NotIn, values: [db]}]}, policyTypes: [Egress]}}`, db, outside(), "TCP", 80, true},
		{"egress of src and ingress of dst both", `{metadata: {namespace: data}, spec: {podSelector: {}, policyTypes: [Egress], egress: [{to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: app}}}]}]}}`, db, web, "TCP", 80, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &Mesh{Config: &api.MeshConfig{}}
			for _, ns := range []string{`{kind: Namespace, metadata: {name: app}}`, `{kind: Namespace, metadata: {name: data, labels: {tier: data}}}`} {
				if err := m.Add("c", "", []byte(ns)); err != nil {
					t.Fatal(err)
				}
			}
			if tt.policy != "" {
				var p map[string]any
				if err := yaml.Unmarshal([]byte(tt.policy), &p); err != nil {
					t.Fatal(err)
				}
				p["kind"] = "NetworkPolicy"
				b, _ := yaml.Marshal(p)
				if err := m.Add("c", "", b); err != nil {
					t.Fatal(err)
				}
			}
			if got := m.Allows("c", tt.src, tt.dst, tt.proto, tt.port); got != tt.want {
				t.Errorf("Allows = %v, want %v", got, tt.want)
			}
		})
	}
}
