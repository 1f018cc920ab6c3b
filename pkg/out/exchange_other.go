//go:build !linux

package out

import "errors"

func exchange(a, b string) error { return errors.ErrUnsupported }
