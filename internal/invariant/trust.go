package invariant

import (
	"strings"

	"github.com/meshgen/meshgen/pkg/api"
	"github.com/meshgen/meshgen/pkg/gen"
)

// The rule of the mesh's CAs: one signing CA per istiod, none where no istiod runs. A remote's
// workloads get their certificates from its primary's istiod, which also writes the root into
// the remote's istio-ca-root-cert ConfigMaps (the primary-remote rule holds the annotation
// that makes it lead the remote); a CA, or the root's key under a CA ClusterIssuer, in a
// remote would be key material that no one reads.
var trustRules = []Rule{
	{"trust", "a remote carries no cacerts (Secret or Certificate), no CA Certificate and no CA ClusterIssuer, and its README asks for none; a primary carries one CA: with certManager the Certificate cacerts in the control-plane namespace from a CA ClusterIssuer in its folder, with external its README asks for the Secret cacerts; no folder holds a Secret cacerts", trust},
}

func init() { Rules = append(Rules, trustRules...) }

// readmeAsksCACerts is the README prerequisite of external trust (gen's prerequisites).
const readmeAsksCACerts = "the Secret " + gen.CACertsSecret + " in namespace"

func trust(m *Mesh, r *report) {
	mode := m.Config.Spec.Trust.Mode
	for _, cl := range m.clusters() {
		// The cluster's CA material: what istiod would read, or could be signed with.
		var caCerts, caObjs []Object
		caIssuers := map[string]bool{}
		for _, o := range m.in(cl.Name, "") {
			switch {
			case o.kind() == "Secret" && o.name() == gen.CACertsSecret:
				r.add(cl.Name, "%s: meshgen writes no key material; the user or cert-manager makes cacerts", o.id())
			case o.kind() == "Certificate" && at(o.Doc, "spec", "isCA") == true:
				caObjs = append(caObjs, o)
				if str(o.Doc, "spec", "secretName") == gen.CACertsSecret && o.namespace() == m.cp() {
					caCerts = append(caCerts, o)
				}
			case o.kind() == "Certificate" && str(o.Doc, "spec", "secretName") == gen.CACertsSecret:
				r.add(cl.Name, "%s: writes cacerts without isCA", o.id())
			case o.kind() == "ClusterIssuer" && at(o.Doc, "spec", "ca") != nil:
				caObjs = append(caObjs, o)
				caIssuers[o.name()] = true
			}
		}
		readme, hasReadme := m.Installer[cl.Name]["README.md"]
		asks := strings.Contains(string(readme), readmeAsksCACerts)
		if cl.Remote() {
			for _, o := range caObjs {
				r.add(cl.Name, "%s: a remote of %s runs no istiod, so no CA", o.id(), cl.Primary)
			}
			if asks {
				r.add(cl.Name, "README asks for cacerts, which no istiod reads in a remote of %s", cl.Primary)
			}
			continue
		}
		switch mode {
		case api.TrustCertManager:
			if len(caCerts) != 1 {
				r.add(cl.Name, "%d Certificates %s/%s, want 1", len(caCerts), m.cp(), gen.CACertsSecret)
			}
			for _, c := range caCerts {
				if ref := str(c.Doc, "spec", "issuerRef", "name"); str(c.Doc, "spec", "issuerRef", "kind") != "ClusterIssuer" || !caIssuers[ref] {
					r.add(cl.Name, "%s: issuer %q is no CA ClusterIssuer of this folder", c.id(), ref)
				}
			}
		case api.TrustExternal:
			for _, o := range caObjs {
				r.add(cl.Name, "%s: with external trust the user brings cacerts", o.id())
			}
			if hasReadme && !asks {
				r.add(cl.Name, "README does not ask for the Secret %s", gen.CACertsSecret)
			}
		}
	}
}
