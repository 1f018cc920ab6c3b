package gen

import (
	"time"

	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/wrapperspb"
	networking "istio.io/api/networking/v1alpha3"

	"github.com/meshgen/meshgen/pkg/api"
)

// Outlier detection of a service with failover. Istio fails over only from endpoints it
// knows to be unhealthy, and without outlier detection (or health checks it does not do) it
// knows none: the localityLbSetting alone changes nothing.
const (
	// failoverErrors consecutive 5xx answers (for TCP, failed connections) eject an endpoint,
	failoverErrors = 5
	// counted over this interval,
	failoverInterval = 5 * time.Second
	// for this long at first (longer each time it is ejected again).
	failoverEjection = 30 * time.Second
	// failoverMaxEjection lets every endpoint of a locality be ejected: with Istio's default of
	// 10%, a locality of fewer than ten endpoints loses at most one and never fails over.
	failoverMaxEjection = 100
)

// trafficPolicy is a service's DestinationRule traffic policy: nil without failover, else the
// locality failover. It depends on the service only, so every cluster gets the same one.
func trafficPolicy(svc *api.Service) *networking.TrafficPolicy {
	f := svc.Failover
	if f == nil {
		return nil
	}
	return &networking.TrafficPolicy{
		LoadBalancer: &networking.LoadBalancerSettings{
			LocalityLbSetting: &networking.LocalityLoadBalancerSetting{
				Enabled:          wrapperspb.Bool(true),
				FailoverPriority: append([]string(nil), f.Priority...),
			},
		},
		OutlierDetection: &networking.OutlierDetection{
			Consecutive_5XxErrors: wrapperspb.UInt32(failoverErrors),
			Interval:              durationpb.New(failoverInterval),
			BaseEjectionTime:      durationpb.New(failoverEjection),
			MaxEjectionPercent:    failoverMaxEjection,
		},
	}
}
