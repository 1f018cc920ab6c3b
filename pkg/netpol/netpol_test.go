package netpol

import (
	"strings"
	"testing"
)

func policies(t *testing.T, docs ...string) Cluster {
	t.Helper()
	var b strings.Builder
	for _, d := range docs {
		b.WriteString("{kind: NetworkPolicy, " + d[1:] + "\n---\n")
	}
	c, err := Parse([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if len(c) != len(docs) {
		t.Fatalf("parsed %d of %d policies", len(c), len(docs))
	}
	return c
}

// TestParse: other kinds are skipped, an unknown field is an error.
func TestParse(t *testing.T) {
	c, err := Parse([]byte("kind: Service\nmetadata: {name: a}\n---\nkind: NetworkPolicy\nmetadata: {name: p, namespace: app}\nspec: {podSelector: {}}\n"))
	if err != nil || len(c) != 1 || c[0].Name != "p" {
		t.Fatalf("%v %v", c, err)
	}
	if _, err := Parse([]byte("kind: NetworkPolicy\nspec: {podSelectr: {}}\n")); err == nil {
		t.Error("unknown field accepted")
	}
}

var (
	web    = Endpoint{Name: "web", Namespace: "app", NamespaceLabels: map[string]string{"kubernetes.io/metadata.name": "app", "mesh": "on"}, Labels: map[string]string{"app": "web"}, IP: "10.1.0.1"}
	db     = Endpoint{Name: "db", Namespace: "app", NamespaceLabels: web.NamespaceLabels, Labels: map[string]string{"app": "db"}, IP: "10.1.0.2"}
	other  = Endpoint{Name: "other", Namespace: "other", NamespaceLabels: map[string]string{"kubernetes.io/metadata.name": "other"}, Labels: map[string]string{"app": "web"}, IP: "10.2.0.1"}
	remote = Endpoint{Name: "remote", IP: "203.0.113.5"}
	node   = Endpoint{Name: "kubelet", Node: true}
)

// TestSemantics: each rule of the reference, each with a flow it allows and one it denies.
func TestSemantics(t *testing.T) {
	tests := []struct {
		name     string
		policies []string
		flow     Flow
		want     bool
	}{
		{"no policy: all open", nil, Flow{From: other, To: db, Port: 5432}, true},
		{"selected: isolated", []string{`{metadata: {namespace: app, name: p}, spec: {podSelector: {matchLabels: {app: db}}}}`}, Flow{From: web, To: db, Port: 5432}, false},
		{"other pod of the namespace not isolated", []string{`{metadata: {namespace: app, name: p}, spec: {podSelector: {matchLabels: {app: db}}}}`}, Flow{From: db, To: web, Port: 80}, true},
		{"policy in another namespace does not isolate", []string{`{metadata: {namespace: other, name: p}, spec: {podSelector: {}}}`}, Flow{From: web, To: db, Port: 5432}, true},
		{"default policyTypes: no egress isolation", []string{`{metadata: {namespace: app, name: p}, spec: {podSelector: {}}}`}, Flow{From: web, To: remote, Port: 443}, true},
		{"egress rules imply Egress", []string{`{metadata: {namespace: app, name: p}, spec: {podSelector: {}, egress: [{ports: [{port: 53, protocol: UDP}]}]}}`}, Flow{From: web, To: remote, Port: 443}, false},
		{"egress port allowed", []string{`{metadata: {namespace: app, name: p}, spec: {podSelector: {}, egress: [{ports: [{port: 443}]}]}}`}, Flow{From: web, To: remote, Port: 443}, true},
		{"protocol defaults to TCP", []string{`{metadata: {namespace: app, name: p}, spec: {podSelector: {}, egress: [{ports: [{port: 53}]}]}}`}, Flow{From: web, To: remote, Port: 53, Protocol: "UDP"}, false},
		{"endPort range", []string{`{metadata: {namespace: app, name: p}, spec: {podSelector: {}, egress: [{ports: [{port: 8000, endPort: 8100}]}]}}`}, Flow{From: web, To: remote, Port: 8080}, true},
		{"endPort range, outside", []string{`{metadata: {namespace: app, name: p}, spec: {podSelector: {}, egress: [{ports: [{port: 8000, endPort: 8100}]}]}}`}, Flow{From: web, To: remote, Port: 8101}, false},
		{"named port", []string{`{metadata: {namespace: app, name: p}, spec: {podSelector: {matchLabels: {app: db}}, ingress: [{ports: [{port: pg}]}]}}`}, Flow{From: web, To: db, Port: 5432, PortName: "pg"}, true},
		{"named port, other name", []string{`{metadata: {namespace: app, name: p}, spec: {podSelector: {matchLabels: {app: db}}, ingress: [{ports: [{port: pg}]}]}}`}, Flow{From: web, To: db, Port: 5432, PortName: "http"}, false},
		{"podSelector peer: same namespace only", []string{`{metadata: {namespace: app, name: p}, spec: {podSelector: {matchLabels: {app: db}}, ingress: [{from: [{podSelector: {matchLabels: {app: web}}}]}]}}`}, Flow{From: other, To: db, Port: 5432}, false},
		{"podSelector peer: same namespace", []string{`{metadata: {namespace: app, name: p}, spec: {podSelector: {matchLabels: {app: db}}, ingress: [{from: [{podSelector: {matchLabels: {app: web}}}]}]}}`}, Flow{From: web, To: db, Port: 5432}, true},
		{"namespaceSelector peer", []string{`{metadata: {namespace: app, name: p}, spec: {podSelector: {}, ingress: [{from: [{namespaceSelector: {matchLabels: {mesh: "on"}}}]}]}}`}, Flow{From: other, To: db, Port: 5432}, false},
		{"namespaceSelector {} is every pod", []string{`{metadata: {namespace: app, name: p}, spec: {podSelector: {}, ingress: [{from: [{namespaceSelector: {}}]}]}}`}, Flow{From: other, To: db, Port: 5432}, true},
		{"namespaceSelector {} is no external address", []string{`{metadata: {namespace: app, name: p}, spec: {podSelector: {}, ingress: [{from: [{namespaceSelector: {}}]}]}}`}, Flow{From: remote, To: db, Port: 5432}, false},
		{"both selectors: and", []string{`{metadata: {namespace: app, name: p}, spec: {podSelector: {}, ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: other}}, podSelector: {matchLabels: {app: db}}}]}]}}`}, Flow{From: other, To: db, Port: 5432}, false},
		{"matchExpressions", []string{`{metadata: {namespace: app, name: p}, spec: {podSelector: {matchExpressions: [{key: app, operator: In, values: [db, x]}]}, ingress: [{from: [{podSelector: {matchLabels: {app: nope}}}]}]}}`}, Flow{From: web, To: db, Port: 5432}, false},
		{"ipBlock", []string{`{metadata: {namespace: app, name: p}, spec: {podSelector: {}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 203.0.113.0/24}}]}]}}`}, Flow{From: web, To: remote, Port: 443}, true},
		{"ipBlock except", []string{`{metadata: {namespace: app, name: p}, spec: {podSelector: {}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 203.0.113.0/24, except: [203.0.113.0/28]}}]}]}}`}, Flow{From: web, To: remote, Port: 443}, false},
		{"policies add up", []string{
			`{metadata: {namespace: app, name: a}, spec: {podSelector: {}, ingress: [{ports: [{port: 80}]}]}}`,
			`{metadata: {namespace: app, name: b}, spec: {podSelector: {matchLabels: {app: db}}, ingress: [{ports: [{port: 5432}]}]}}`,
		}, Flow{From: web, To: db, Port: 5432}, true},
		{"egress and ingress both needed", []string{
			`{metadata: {namespace: app, name: a}, spec: {podSelector: {matchLabels: {app: web}}, policyTypes: [Egress]}}`,
		}, Flow{From: web, To: db, Port: 5432}, false},
		{"the node is always allowed", []string{`{metadata: {namespace: app, name: p}, spec: {podSelector: {}, policyTypes: [Ingress, Egress]}}`}, Flow{From: node, To: web, Port: 15020}, true},
		{"empty rule allows all", []string{`{metadata: {namespace: app, name: p}, spec: {podSelector: {}, ingress: [{}]}}`}, Flow{From: remote, To: web, Port: 1}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, why := policies(t, tt.policies...).Allowed(tt.flow)
			if got != tt.want {
				t.Errorf("%s: got %v (%s), want %v", tt.flow, got, why, tt.want)
			}
		})
	}
}
