//go:build tools

// Package tools records the Kubernetes commands this module exists to build,
// so that `go mod tidy` keeps every package they need in go.sum. The build tag
// keeps the file out of every real build: main packages cannot be imported.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
