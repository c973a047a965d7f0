/**
 * The chat stack's own Dockerfile for the Go backend (Faaizz/simple_http_chatapp),
 * which the image build writes into the checked-out repository and builds
 * instead of the repository's (chat.backend.image.dockerfile null, the
 * default). The source is built unchanged. The repository's own Dockerfile
 * (`FROM golang:1.19.3-alpine3.16`, the whole toolchain in the image, run as
 * root, listening on port 80) stays selectable: chat.backend.image.dockerfile
 * "Dockerfile".
 *
 * - Build stage: the Docker Official Image `golang:<goVersion>-alpine`, a
 *   supported Go release (Go supports each major release until two newer ones
 *   are out: https://go.dev/doc/devel/release#policy; Go 1.26 was released in
 *   February 2026). With `chat.backend.image.dockerHub.kind` "ecr-public" (the
 *   default) the build pulls it from its copy on Amazon ECR Public,
 *   `public.ecr.aws/docker/library/golang` (ECR Public Gallery, repository
 *   docker/library/golang, which mirrors Docker Hub's tags). The module's
 *   `go 1.19` line is a minimum; GOTOOLCHAIN=local keeps the image's Go.
 *   CGO off: a static binary.
 * - Final stage: `scratch` (no base image, no shell, no package manager, no
 *   Go toolchain), holding the binary and the CA certificates of the build
 *   stage, which the backend needs for its HTTPS calls to DynamoDB and the
 *   @connections API. It runs as user 65532 (no name needed: `USER` takes a
 *   numeric id), which cannot bind ports below 1024 (Linux), hence `port`
 *   (8080 by default) and `HTTP_PORT`, which the backend reads.
 */
export const CHAT_BACKEND_BINARY = "simple_http_chatapp";

/** The non-root user (and group) the image runs as: the "nonroot" id of distroless images, a plain number here. */
export const CHAT_BACKEND_USER = "65532:65532";

/** The Go release the image is built with by default (a supported one: go.dev/doc/devel/release#policy). */
export const DEFAULT_GO_VERSION = "1.26";

/** What {@link chatBackendDockerfile} needs. */
export interface ChatBackendDockerfileOptions {
  /** Go release of the build stage, `1.<minor>`. */
  readonly goVersion: string;
  /** Port the backend listens on (HTTP_PORT), 1024 or more. */
  readonly port: number;
}

/** The Dockerfile's text. */
export function chatBackendDockerfile(options: ChatBackendDockerfileOptions): string {
  return [
    "# Written by the chat stack (stacks/chat-backend-dockerfile.ts): the backend's source, unchanged,",
    `# built with Go ${options.goVersion} into a static binary; the image holds nothing else and runs as a non-root user.`,
    `FROM golang:${options.goVersion}-alpine AS build`,
    "WORKDIR /src",
    "COPY src/go.mod src/go.sum ./",
    "RUN go mod download",
    "COPY src/ ./",
    "ENV CGO_ENABLED=0 GOTOOLCHAIN=local",
    `RUN go build -trimpath -ldflags="-s -w" -o /out/${CHAT_BACKEND_BINARY} .`,
    "",
    "FROM scratch",
    "COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt",
    `COPY --from=build /out/${CHAT_BACKEND_BINARY} /${CHAT_BACKEND_BINARY}`,
    `ENV HTTP_PORT=${options.port}`,
    `EXPOSE ${options.port}`,
    `USER ${CHAT_BACKEND_USER}`,
    `ENTRYPOINT ["/${CHAT_BACKEND_BINARY}"]`,
    "",
  ].join("\n");
}
