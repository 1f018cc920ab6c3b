package e2e

// The versions' pods the live test plays, and the one key by which it finds them again.

import (
	"fmt"

	"github.com/meshgen/meshgen/pkg/api"
)

// podKey is where m.podIP holds a version's pod IP in a cluster: by the service's host, as
// istiod names services, so that web in shop and web in shop-preview are two services. The
// host's ".svc." keeps it apart from the gateways' and clients' keys (cluster/...).
func podKey(s api.Service, version, cluster string) string {
	return host(s) + "/" + version + "/" + cluster
}

// playedPod is the pod of one service version in one cluster.
type playedPod struct {
	s        api.Service
	v        api.Version
	name, ip string
}

// placePods names and addresses a pod per service version that runs in cluster, the ci-th
// of the fleet, and records each IP under podKey. Pod names need only be unique within the
// service's namespace.
func (m *liveMesh) placePods(ci int, cluster string) []playedPod {
	var ps []playedPod
	for _, s := range m.cfg.Spec.Services {
		for _, v := range s.Versions {
			if !contains(v.Clusters, cluster) {
				continue
			}
			p := playedPod{s: s, v: v, name: s.Name + "-" + v.Name + "-live", ip: fmt.Sprintf("10.%d.0.%d", 100+ci, 10+len(ps))}
			m.podIP[podKey(s, v.Name, cluster)] = p.ip
			ps = append(ps, p)
		}
	}
	return ps
}
