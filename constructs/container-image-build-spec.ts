import type { DockerHubAccess } from "./docker-hub-access";
import { invalid, isUnresolved } from "./validation";

/** Where the build writes a Dockerfile given inline, in the checked-out source. */
export const INLINE_DOCKERFILE = ".websocket-gateway.Dockerfile";
/** The line that ends the here-document the build spec writes it with. */
export const INLINE_DOCKERFILE_END = "WEBSOCKET_GATEWAY_DOCKERFILE";

/** Throws when an inline Dockerfile cannot be written by the build spec, or comes with a repository's Dockerfile (`<owner>.inlineDockerfile`). */
export function checkInlineDockerfile(owner: string, inline: string | undefined, repositoryDockerfile: string | undefined): void {
  if (inline === undefined || isUnresolved(inline)) return;
  if (repositoryDockerfile !== undefined) {
    throw invalid(
      `${owner}.source.dockerfile`,
      "undefined when inlineDockerfile is given (the build writes and uses that one)",
      repositoryDockerfile,
      "give one of the two",
    );
  }
  if (!/^FROM\s/im.test(inline))
    throw invalid(`${owner}.inlineDockerfile`, "a Dockerfile with at least one FROM line", `${inline.slice(0, 40)}...`, "give the Dockerfile's text");
  if (inline.split("\n").some((l) => l.trim() === INLINE_DOCKERFILE_END)) {
    throw invalid(
      `${owner}.inlineDockerfile`,
      `a Dockerfile without a line "${INLINE_DOCKERFILE_END}"`,
      INLINE_DOCKERFILE_END,
      "the build spec writes it with a here-document ending there",
    );
  }
}

/**
 * The CodeBuild build spec: write the inline Dockerfile (when there is one),
 * log in to ECR, get at Docker Hub's images as `dockerHub` says, build, push
 * `$REPOSITORY_URI:$IMAGE_TAG`.
 */
export function buildSpec(dockerfile: string, dockerHub: DockerHubAccess["kind"] = "anonymous", inlineDockerfile?: string): string {
  const write = inlineDockerfile
    ? [
        "      - |",
        `        cat > "${dockerfile}" <<'${INLINE_DOCKERFILE_END}'`,
        ...inlineDockerfile
          .replace(/\n+$/, "")
          .split("\n")
          .map((l) => (l ? `        ${l}` : "")),
        `        ${INLINE_DOCKERFILE_END}`,
      ]
    : [];
  const rewrite = (target: string) => [
    "      - |",
    `        python3 - "${dockerfile}" ${target} <<'PYTHON'`,
    ...BASE_IMAGE_REWRITER.split("\n").map((l) => (l ? `        ${l}` : "")),
    "        PYTHON",
  ];
  const access: Record<DockerHubAccess["kind"], string[]> = {
    anonymous: [],
    "ecr-public": [
      // ECR Public's API (and its login) is in us-east-1 only.
      "      - aws ecr-public get-login-password --region us-east-1 | docker login --username AWS --password-stdin public.ecr.aws",
      ...rewrite("public.ecr.aws/docker"),
    ],
    login: ['      - printf \'%s\' "$DOCKER_HUB_ACCESS_TOKEN" | docker login --username "$DOCKER_HUB_USERNAME" --password-stdin'],
    "pull-through-cache": rewrite('"${REPOSITORY_URI%%/*}/$DOCKER_HUB_CACHE_PREFIX"'),
  };
  return [
    "version: 0.2",
    "phases:",
    "  pre_build:",
    "    commands:",
    ...write,
    '      - aws ecr get-login-password --region "$AWS_REGION" | docker login --username AWS --password-stdin "${REPOSITORY_URI%%/*}"',
    ...access[dockerHub],
    "  build:",
    "    commands:",
    `      - docker build --file "${dockerfile}" --tag "$REPOSITORY_URI:$IMAGE_TAG" .`,
    "  post_build:",
    "    commands:",
    '      - test "$CODEBUILD_BUILD_SUCCEEDING" = "1"',
    '      - docker push "$REPOSITORY_URI:$IMAGE_TAG"',
    "",
  ].join("\n");
}

/**
 * Rewrites the Docker Hub images of a Dockerfile (argv: the Dockerfile, the
 * registry path to pull them from). `public.ecr.aws/docker` takes Docker
 * Official Images only (ECR Public's copies are `docker/library/<name>`);
 * any other target takes every Docker Hub image (`<target>/<namespace>/<name>`,
 * `library/` for official images, as ECR's pull through cache names them).
 * Leaves build stages, `scratch`, images of other registries and references
 * built from ARGs alone, and prints each change.
 */
const BASE_IMAGE_REWRITER = String.raw`import re, sys
path, target = sys.argv[1], sys.argv[2]
hub_hosts = ("docker.io/", "index.docker.io/", "registry-1.docker.io/")
stages = set()

def rewrite(image):
    if "$" in image or image.lower() == "scratch" or image.lower() in stages:
        return image
    ref = image
    for host in hub_hosts:
        if ref.startswith(host):
            ref = ref[len(host):]
            break
    else:
        first = ref.split("/")[0]
        if "/" in ref and ("." in first or ":" in first or first == "localhost"):
            return image
    m = re.match(r"^([a-z0-9][a-z0-9._/-]*?)((?::[A-Za-z0-9_][A-Za-z0-9_.-]*)?(?:@sha256:[0-9a-f]{64})?)$", ref)
    if not m:
        return image
    name, suffix = m.groups()
    if "/" not in name:
        name = "library/" + name
    if target == "public.ecr.aws/docker" and not name.startswith("library/"):
        print("kept on Docker Hub (not a Docker Official Image): " + image)
        return image
    new = target + "/" + name + suffix
    print(image + " -> " + new)
    return new

lines = []
for line in open(path):
    m = re.match(r"^(\s*FROM\s+(?:--\S+\s+)*)(\S+)(.*)$", line, re.I)
    if m:
        line = m.group(1) + rewrite(m.group(2)) + m.group(3) + "\n"
        stage = re.match(r"\s+AS\s+(\S+)", m.group(3), re.I)
        if stage:
            stages.add(stage.group(1).lower())
    else:
        m = re.match(r"^(\s*COPY\s+(?:--\S+\s+)*?--from=)(\S+)(.*)$", line, re.I)
        if m and not m.group(2).isdigit():
            line = m.group(1) + rewrite(m.group(2)) + m.group(3) + "\n"
    lines.append(line)
open(path, "w").write("".join(lines))`;
