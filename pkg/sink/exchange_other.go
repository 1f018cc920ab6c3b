//go:build !linux

package sink

import "errors"

func exchange(a, b string) error { return errors.ErrUnsupported }
