# meshgen: the two commands a newcomer needs are `make demo` and `make test`.
GO ?= go
OUT ?= out

.PHONY: all build demo test unit golden fuzz tools bench bench-io image clean live mutate

all: build

build:
	$(GO) build -o bin/meshgen ./fn

# The main job on the bundled example: the seed's mesh as a per-cluster GitOps tree in out/.
demo: build
	bin/meshgen render examples/mcsps-test/mesh.yaml examples/mcsps-test/credentials.yaml -o $(OUT)/mcsps-test
	@echo "wrote $(OUT)/mcsps-test:"; find $(OUT)/mcsps-test -type f | sort

# Every test, with the real kustomize, istioctl, etcd and kube-apiserver; installs what it
# needs once (pinned Go tools, Debian's etcd), then runs the fuzzers for a bounded time.
# pkg/e2e took 37 min on a clean clone beside a mutation run and a live run (2026-11-30:
# TestLiveMesh runs every example and canary step, the phased API-server test every example);
# the timeout leaves room for a loaded machine within CI's 90 minutes.
test:
	eval "$$(bash .ci/tools)" && \
	export MESHGEN_KUBE_BIN="$$(bash .ci/kube-tools | tail -n 1)" && \
	$(GO) vet ./... && \
	$(GO) test -count=1 -timeout=75m ./... && \
	$(MAKE) --no-print-directory fuzz

# Fast tests only: no external tools.
unit:
	MESHGEN_SKIP_E2E=1 MESHGEN_SKIP_KPT=1 MESHGEN_SKIP_APISERVER=1 $(GO) test ./...

# Rewrites the golden files and prints what changed, per example; review with git diff. It
# refuses to write when the fresh render breaks a rule of the mesh (internal/invariant).
golden:
	@before=$$(mktemp -d) && cp -r testdata/golden/. $$before/ && \
	$(GO) test ./pkg/cli -run Golden -update -count=1 && \
	bash .ci/golden-summary $$before testdata/golden; s=$$?; rm -rf $$before; exit $$s

# Bounded fuzzing; new crashers land in pkg/api/testdata/fuzz and pkg/sink/testdata/fuzz and
# fail the next go test. The bound is a number of runs (20 to 30 s each here), not a duration:
# with a duration, Go 1.26 can fail a clean run with "context deadline exceeded" when the time
# runs out during a minimisation (golang/go#75804, fixed in Go 1.27).
FUZZTIME ?= 50000x
fuzz:
	$(GO) test ./pkg/api -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 3s
	$(GO) test ./pkg/sink -run '^$$' -fuzz '^FuzzPipeline$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 3s

# The live mesh test on any MeshConfig: per cluster a loopback kube-apiserver and a real
# istiod reading meshgen's output (README, "Live mesh"). One line per check, last
# "live mesh: N/M checks hold"; exit 0 only when all hold. Installs what it needs like test.
MESH ?= examples/three-sites/mesh.yaml
live:
	@eval "$$(bash .ci/tools)" && \
	export MESHGEN_KUBE_BIN="$$(bash .ci/kube-tools | tail -n 1)" && \
	mkdir -p $(OUT) && rm -f $(OUT)/live.txt && \
	$(GO) test -c -o bin/e2e.test ./pkg/e2e && \
	rc=0 && (cd pkg/e2e && MESHGEN_LIVE_MESH=$(abspath $(MESH)) MESHGEN_LIVE_REPORT=$(abspath $(OUT))/live.txt \
		../../bin/e2e.test -test.run '^TestLiveMeshFile$$' -test.count=1 -test.timeout=20m) >$(OUT)/live.log 2>&1 || rc=$$?; \
	if [ -s $(OUT)/live.txt ]; then cat $(OUT)/live.txt; else tail -n 30 $(OUT)/live.log; fi; \
	[ $$rc = 0 ] || echo "make live: the test failed; its log is $(OUT)/live.log" >&2; exit $$rc

# Mutation testing of pkg/api, pkg/gen and pkg/sink with their unit tests (gremlins, installed
# once into the tools cache): efficacy per package, surviving mutants not listed as equivalent in
# testdata/mutants-equivalent.txt. Not part of make test: it takes long (see README).
mutate:
	bash .ci/mutate

tools:
	bash .ci/tools
	bash .ci/kube-tools

bench: build
	bash .ci/bench

# Only the end of bench: render -o against cp -r of its tree, and the real kpt on a fleet.
bench-io: build
	bash .ci/bench-io

image:
	docker build -t ghcr.io/meshgen/meshgen:dev .

clean:
	rm -rf bin $(OUT)
