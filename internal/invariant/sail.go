package invariant

// sailControlPlanes are the istiods of a cluster's Sail Istios (installer sail): an Istio's
// revision is its name, the name default being none (updateStrategy InPlace, which the
// injection rule holds them to), and its tags are the IstioRevisionTags that target it or its
// IstioRevision, which InPlace names after the Istio.
func (m *Mesh) sailControlPlanes(cluster string) []controlPlane {
	var cps []controlPlane
	for _, o := range m.sailIstios(cluster) {
		cp := controlPlane{from: o.id(), revision: sailRevision(o.name())}
		for _, t := range m.in(cluster, "IstioRevisionTag") {
			if k := str(t.Doc, "spec", "targetRef", "kind"); (k == "Istio" || k == "IstioRevision") && str(t.Doc, "spec", "targetRef", "name") == o.name() {
				cp.tags = append(cp.tags, t.name())
			}
		}
		cps = append(cps, cp)
	}
	return cps
}

// sailRevision is the revision of a Sail Istio or IstioRevision named name.
func sailRevision(name string) string {
	if name == "default" {
		return ""
	}
	return name
}
