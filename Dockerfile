# The published KRM function image (kpt's image: mode). Static binary, no shell.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY fn fn
COPY pkg pkg
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /meshgen ./fn

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /meshgen /usr/local/bin/meshgen
ENTRYPOINT ["/usr/local/bin/meshgen"]
