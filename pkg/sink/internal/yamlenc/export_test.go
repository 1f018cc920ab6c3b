package yamlenc

// Direct tells whether the direct writer covers j, without the slow path.
func Direct(j []byte) bool {
	_, ok := new(writer).appendYAML(nil, j)
	return ok
}

// Slow is the reference encoder.
var Slow = slow
