package api

// The input limits, one per kind of input, bound the bytes read before any parsing. The work
// of following YAML aliases and merge keys in a MeshConfig is bounded separately, whatever
// the size, by the decoder's node budget (maxNodes).

// MaxFileBytes bounds one FILE given to render or validate: a MeshConfig or credentials
// Secrets, written by hand. The MeshConfig of a 100-cluster, 100-service fleet is 168 KB.
const MaxFileBytes = 8 << 20

// MaxResourceListBytes bounds the ResourceList the KRM function mode reads. kpt sends the
// whole package, meshgen's earlier output included, every item with ten annotations of its
// own: on the second kpt fn render of a 100-cluster, 100-service fleet (57,800 generated
// objects) that is 65,227,086 bytes, about half this limit, where meshgen wrote 41,585,890.
const MaxResourceListBytes = 128 << 20

// MaxResourceListOutputBytes bounds the ResourceList the KRM function mode writes, so that
// whatever it writes comes back in on the next render: kpt's annotations add 1.57 times the
// bytes at both 40 × 60 and 100 × 100 (about 400 bytes an item, plus the package's absolute
// path once an item), well within the factor of 2 between the limits for package paths of
// up to 200 characters. A mesh too large for the round trip is refused on the render that
// would write it, not on the next one.
const MaxResourceListOutputBytes = MaxResourceListBytes / 2
