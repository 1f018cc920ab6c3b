package krm

// DropOwn and RunSlow expose the byte filter and the path without it to the tests.
var (
	DropOwn = dropOwn
	RunSlow = run
)
