package api

import "fmt"

// Data planes of spec.dataplane.
const (
	// DataplaneSidecar: an Envoy sidecar in every pod, east-west gateways on 15443.
	DataplaneSidecar = "sidecar"
	// DataplaneAmbient: ztunnel on every node, waypoints where L7 policy needs them, and
	// Gateway API east-west gateways that carry HBONE (15008) between networks.
	DataplaneAmbient = "ambient"
	// AmbientWaypoint is the name of every waypoint meshgen writes (gen.WaypointName).
	AmbientWaypoint = "waypoint"
	// ProfileAmbient is the installation profile ambient needs in istiod, istio-cni and ztunnel.
	ProfileAmbient = "ambient"
)

// MinAmbient is the first release whose ambient multicluster is beta, and then only across
// networks: 1.27 brought it as alpha, 1.29 made multi-network multi-primary beta (Istio blog
// "Ambient multi-network multicluster support is now beta"); clusters sharing a network stay
// alpha ("untested, and may be broken" in the multicluster install guide).
var MinAmbient = Semver{1, 29, 0}

// Ambient tells whether the mesh runs the ambient data plane.
func (s *Spec) Ambient() bool { return s.Dataplane == DataplaneAmbient }

// defaultDataplane fills spec.dataplane and what ambient implies: the CNI node agent (ambient
// redirects traffic through it, it is not optional) and the ambient profile.
func defaultDataplane(s *Spec) {
	if s.Dataplane == "" {
		s.Dataplane = DataplaneSidecar
	}
	if !s.Ambient() {
		return
	}
	s.Istio.CNI = true
	if s.Istio.Profile == "" {
		s.Istio.Profile = ProfileAmbient
	}
}

// validateAmbient refuses what ambient multicluster does not support, as Istio's ambient
// multicluster guide lists it: releases before MinAmbient, the operator installer, clusters
// that share a network, revisions (the ambient east-west gateway has none yet), and the
// traffic meshgen cannot express in the Gateway API routes ambient reads.
func validateAmbient(es *Errors, s *Spec) {
	if !oneOf(es, "spec.dataplane", s.Dataplane, DataplaneSidecar, DataplaneAmbient) || !s.Ambient() {
		return
	}
	if v, ok := ParseSemver(s.Istio.Version); ok && v.Less(MinAmbient) {
		es.add("spec.dataplane", "ambient needs Istio %d.%d or newer, spec.istio.version is %q: ambient multicluster is alpha in 1.27 and 1.28; 1.29 made it beta across networks",
			MinAmbient.Major, MinAmbient.Minor, s.Istio.Version)
	}
	if s.Istio.Installer != InstallerHelm && s.Istio.Installer != InstallerIstioctl {
		es.add("spec.istio.installer", "ambient is written for helm (the base, istiod, cni and ztunnel charts) and istioctl (an IstioOperator of the ambient profile), got %q: the in-cluster operator was removed in 1.24, before ambient multicluster", s.Istio.Installer)
	}
	if s.Istio.Profile != ProfileAmbient {
		es.add("spec.istio.profile", "must be %q with spec.dataplane ambient (or left out), got %q: istiod, istio-cni and ztunnel need the ambient profile", ProfileAmbient, s.Istio.Profile)
	}
	if s.Istio.Revision != "" {
		es.add("spec.istio.revision", "not supported with spec.dataplane ambient: Istio's ambient east-west gateway does not handle revisions yet (its install guide: \"TODO: Handle revisions\")")
	}
	for i := range s.Clusters {
		cl := &s.Clusters[i]
		if peers := s.NetworkPeers(cl); len(peers) > 0 {
			es.add(fmt.Sprintf("spec.clusters[%d].network", i), "shared with %s: ambient multicluster supports one network per cluster only (on a shared network it is alpha, \"untested, and may be broken\"); give each cluster its own network", quoteNames(peers))
		}
	}
	// Service names per namespace: the mesh services', then the version Services and the
	// waypoint's (Istio names its Service after the Gateway), which must not take one of them.
	taken := map[string]string{}
	for i, svc := range s.Services {
		taken[svc.Namespace+"/"+svc.Name] = fmt.Sprintf("spec.services[%d]", i)
	}
	for i := range s.Services {
		svc := &s.Services[i]
		p := fmt.Sprintf("spec.services[%d]", i)
		if svc.Name == AmbientWaypoint {
			es.add(p+".name", "%q is the name of the waypoint Istio deploys for ambient (its Service has that name); rename the service", AmbientWaypoint)
		}
		if vs := WeightedVersions(svc); len(vs) > 1 {
			for j, v := range svc.Versions {
				if other, ok := taken[svc.Namespace+"/"+svc.Name+"-"+v.Name]; ok && v.Weight > 0 {
					es.add(fmt.Sprintf("%s.versions[%d].name", p, j), "with spec.dataplane ambient this version gets a Service %q, which is already %s in namespace %s", svc.Name+"-"+v.Name, other, svc.Namespace)
				}
			}
		}
		if svc.Ingress != nil {
			es.add(p+".ingress", "not supported with spec.dataplane ambient yet: meshgen's ingress routes are VirtualServices, and Istio does not support mixing them with the Gateway API routes of the waypoints")
		}
		if svc.Protocol == ProtocolTCP && len(WeightedVersions(svc)) > 1 {
			es.add(p+".versions", "a weighted split of a tcp service is not supported with spec.dataplane ambient: it needs a TCPRoute, which is alpha in Istio and only in the Gateway API's experimental channel; give one version all the weight")
		}
		for j, v := range svc.Versions {
			if n := svc.Name + "-" + v.Name; len(WeightedVersions(svc)) > 1 && len(n) > 63 {
				es.add(fmt.Sprintf("%s.versions[%d].name", p, j), "with spec.dataplane ambient each weighted version gets a Service %q, longer than 63 characters; shorten the service or version name", n)
			}
		}
	}
}

// WeightedVersions are the versions of a service that get traffic: with more than one, the
// split needs a waypoint in ambient.
func WeightedVersions(svc *Service) []Version {
	var vs []Version
	for _, v := range svc.Versions {
		if v.Weight > 0 {
			vs = append(vs, v)
		}
	}
	return vs
}

// NeedsWaypoint tells whether an ambient service needs a waypoint: ztunnel works at L4 only, so
// a weighted split (HTTP routing) and locality failover (outlier detection) need one.
func NeedsWaypoint(svc *Service) bool {
	return len(WeightedVersions(svc)) > 1 || svc.Failover != nil
}
