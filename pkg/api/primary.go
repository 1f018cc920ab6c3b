package api

import (
	"fmt"
	"net"
)

// Primary-remote: a cluster with spec.clusters[].primary is a remote of that primary. It runs
// no istiod: its proxies get their configuration and certificates from the primary's istiod,
// through the primary's east-west gateway (15012 xDS and CA, 15017 the injection webhook), and
// the primary's istiod reads its API server through a remote secret. Every other cluster is a
// primary; a mesh without remotes is multi-primary.

// HelmRemote is the first release whose istiod chart installs a remote (profile: remote); 1.23
// had a separate istiod-remote chart, older releases none in the chart repository.
var HelmRemote = Semver{1, 24, 0}

// Remote tells whether the cluster is a remote: no istiod of its own.
func (cl *Cluster) Remote() bool { return cl.Primary != "" }

// Remotes are cl's remotes, in the order of spec.clusters.
func (s *Spec) Remotes(cl *Cluster) []*Cluster {
	var rs []*Cluster
	for i := range s.Clusters {
		if r := &s.Clusters[i]; r.Primary == cl.Name && r.Name != cl.Name {
			rs = append(rs, r)
		}
	}
	return rs
}

// Cluster returns the cluster of that name, nil for none.
func (s *Spec) Cluster(name string) *Cluster {
	for i := range s.Clusters {
		if s.Clusters[i].Name == name {
			return &s.Clusters[i]
		}
	}
	return nil
}

// Reads are the clusters whose API server cl's istiod reads through remote secrets, in the
// order of spec.clusters. This is the one rule of who holds remote secrets: a remote has no
// istiod and reads none; a primary reads every other cluster: its remotes (for their
// endpoints, and to authenticate their proxies), the other primaries (multi-primary between
// primaries), and the other primaries' remotes too, for without them its proxies would not
// find the versions that run only there.
func (s *Spec) Reads(cl *Cluster) []*Cluster {
	if cl.Remote() {
		return nil
	}
	var ps []*Cluster
	for i := range s.Clusters {
		if p := &s.Clusters[i]; p.Name != cl.Name {
			ps = append(ps, p)
		}
	}
	return ps
}

// Read tells whether some istiod reads cl's API server: whether a primary other than cl
// exists. The credentials and the apiServer of a cluster that nobody reads are not needed.
func (s *Spec) Read(cl *Cluster) bool {
	for i := range s.Clusters {
		if p := &s.Clusters[i]; p.Name != cl.Name && !p.Remote() {
			return true
		}
	}
	return false
}

// validatePrimaries checks the remotes: a primary that exists, is not the cluster itself and
// is no remote (a remote's proxies need an istiod, and a chain has none), the primary's
// east-west address their proxies reach its istiod at, remote secrets for the primary to read
// them with, and an installer that can install a remote at this release.
func validatePrimaries(es *Errors, s *Spec) {
	for i := range s.Clusters {
		cl := &s.Clusters[i]
		p := fmt.Sprintf("spec.clusters[%d]", i)
		if a := cl.EastWestAddress; a != "" && net.ParseIP(a) == nil && !lbName(a) {
			es.add(p+".eastWestAddress", "must be an IP address or a load balancer's DNS name, got %q", a)
		}
		if !cl.Remote() {
			continue
		}
		pp := p + ".primary"
		prim := s.Cluster(cl.Primary)
		switch {
		case cl.Primary == cl.Name:
			es.add(pp, "%q is the cluster itself: a remote uses another cluster's istiod", cl.Primary)
			continue
		case prim == nil:
			es.add(pp, "unknown cluster %q", cl.Primary)
			continue
		case prim.Remote():
			es.add(pp, "%q is itself a remote (of %q): a remote's primary must run istiod; make %q the primary of %q", prim.Name, prim.Primary, prim.Primary, cl.Name)
			continue
		}
		if prim.EastWestAddress == "" {
			j := 0
			for k := range s.Clusters {
				if s.Clusters[k].Name == prim.Name {
					j = k
				}
			}
			where := "on the same network %q, as Istio's primary-remote guide does"
			if prim.Network != cl.Network {
				where = "from network %q"
			}
			es.add(fmt.Sprintf("spec.clusters[%d].eastWestAddress", j), "required: cluster %q is a remote of this cluster and its proxies reach this cluster's istiod through its east-west gateway (15012, 15017) "+where+"; give the gateway's load-balancer IP or DNS name", cl.Name, cl.Network)
		}
		if s.Dataplane == DataplaneAmbient {
			es.add(pp, "spec.dataplane %s: ambient multicluster is multi-primary only; a remote cluster is not supported yet", DataplaneAmbient)
		}
		if s.RemoteSecrets.Mode == RemoteSecretsNone {
			es.add(pp, "spec.remoteSecrets.mode %s: the primary %q must read this cluster's API server through a remote secret, or its istiod rejects the remote's proxies and sees none of its endpoints", RemoteSecretsNone, cl.Primary)
		}
		ist := &s.Istio
		if ist.Installer == InstallerSail {
			// A remote under Sail has kinds and a profile handling of its own, which meshgen does not write.
			es.add(pp, "spec.istio.installer sail: meshgen writes no Sail remote control plane; use helm, istioctl or operator for a primary-remote mesh")
		}
		if v, ok := ParseSemver(ist.Version); ok && ist.Installer == InstallerHelm && v.Less(HelmRemote) {
			es.add(pp, "spec.istio.installer helm installs a remote from Istio %d.%d on (the istiod chart's remote profile), got spec.istio.version %q; use istioctl or operator", HelmRemote.Major, HelmRemote.Minor, ist.Version)
		}
	}
	if s.Istio.Profile == ProfileRemote {
		es.add("spec.istio.profile", "%q would make every cluster a remote with no istiod anywhere; set spec.clusters[].primary on the remotes instead", ProfileRemote)
	}
}

// ProfileRemote is Istio's installation profile of a remote cluster.
const ProfileRemote = "remote"

// primaryWarnings: a DNS name as a primary's east-west address works for the remotes' proxies
// (the remote profile makes istiod an ExternalName Service), but Kubernetes' webhook client
// does not call an ExternalName Service, so the remote's sidecar injection fails
// (istio/istio#45014).
func primaryWarnings(c *MeshConfig) Errors {
	var ws Errors
	for i := range c.Spec.Clusters {
		cl := &c.Spec.Clusters[i]
		if a := cl.EastWestAddress; a != "" && net.ParseIP(a) == nil && len(c.Spec.Remotes(cl)) > 0 {
			ws = append(ws, FieldError{Path: fmt.Sprintf("spec.clusters[%d].eastWestAddress", i),
				Msg: fmt.Sprintf("a DNS name: the remotes' istiod Service becomes an ExternalName Service, which the API server's webhook client does not call, so sidecar injection in %s fails; give the gateway's IP", quoteNames(c.Spec.Remotes(cl)))})
		}
	}
	return ws
}
