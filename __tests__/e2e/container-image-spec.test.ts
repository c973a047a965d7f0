// The backend image's CodeBuild build spec, pre_build phase run for real
// (bash, python3) with stand-in `aws` and `docker` commands: what each Docker
// Hub access kind does to the Dockerfile and which registries it logs in to.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildSpec } from "../../constructs/container-image-build-spec";
import { DockerHubAccess } from "../../constructs/docker-hub-access";
import { describeWith } from "../support/terraform";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const yaml = require("js-yaml") as { safeLoad(text: string): any };

const REGISTRY = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
const DIGEST = "a".repeat(64);

/** Every kind of base image reference a Dockerfile can hold. */
const DOCKERFILE = [
  "FROM golang:1.19.3-alpine3.16 AS build",
  "FROM --platform=linux/amd64 docker.io/library/alpine:3.20",
  `FROM bitnami/kubectl@sha256:${DIGEST}`,
  "FROM build AS final",
  "FROM public.ecr.aws/docker/library/busybox:1",
  "FROM localhost:5000/tools",
  "from scratch",
  "ARG BASE=node",
  "FROM ${BASE}:20",
  "COPY --from=build /a /b",
  "COPY --chown=1:1 --from=nginx:1.27 /etc/nginx /etc/nginx",
  "COPY --from=0 /a /b",
  "RUN echo FROM golang",
  "",
].join("\n");

describeWith(["bash", "python3"])("the backend build spec's pre_build, run with stand-in aws and docker", () => {
  let tmp: string;

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "image-spec-"));
    const bin = path.join(tmp, "bin");
    fs.mkdirSync(bin);
    // Each records its arguments and what it read on stdin.
    for (const tool of ["aws", "docker"]) {
      fs.writeFileSync(
        path.join(bin, tool),
        `#!/bin/bash\nstdin=""; if [ "$1" = login ]; then stdin="$(cat)"; fi\necho "${tool} $* <${"$"}{stdin}>" >> "${path.join(tmp, "calls.log")}"\n[ "$1 $2" = "ecr get-login-password" ] || [ "$1 $2" = "ecr-public get-login-password" ] && echo registry-password\nexit 0\n`,
        { mode: 0o755 },
      );
    }
    fs.writeFileSync(path.join(tmp, "Dockerfile"), DOCKERFILE);
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  function preBuild(kind: DockerHubAccess["kind"], env: Record<string, string> = {}) {
    const commands: string[] = yaml.safeLoad(buildSpec("Dockerfile", kind)).phases.pre_build.commands;
    const r = spawnSync("bash", ["-e", "-c", commands.join("\n")], {
      cwd: tmp,
      encoding: "utf8",
      env: {
        ...process.env,
        PATH: `${path.join(tmp, "bin")}:${process.env.PATH}`,
        AWS_REGION: "us-east-1",
        REPOSITORY_URI: `${REGISTRY}/chat-backend`,
        ...env,
      },
    });
    return {
      status: r.status,
      output: `${r.stdout}${r.stderr}`,
      dockerfile: fs.readFileSync(path.join(tmp, "Dockerfile"), "utf8"),
      calls: fs.readFileSync(path.join(tmp, "calls.log"), "utf8").trim().split("\n"),
    };
  }

  test("anonymous: logs in to the private registry only and leaves the Dockerfile as it is", () => {
    const run = preBuild("anonymous");
    expect(run.status).toBe(0);
    expect(run.dockerfile).toBe(DOCKERFILE);
    expect(run.calls).toEqual([
      "aws ecr get-login-password --region us-east-1 <>",
      `docker login --username AWS --password-stdin ${REGISTRY} <registry-password>`,
    ]);
  });

  test("pull-through-cache: pulls every Docker Hub image through the cache, and nothing else", () => {
    // WHEN
    const run = preBuild("pull-through-cache", { DOCKER_HUB_CACHE_PREFIX: "chat-backend-docker-hub" });
    // THEN
    expect(run.status).toBe(0);
    const cache = `${REGISTRY}/chat-backend-docker-hub`;
    expect(run.dockerfile.split("\n")).toEqual([
      `FROM ${cache}/library/golang:1.19.3-alpine3.16 AS build`,
      `FROM --platform=linux/amd64 ${cache}/library/alpine:3.20`,
      `FROM ${cache}/bitnami/kubectl@sha256:${DIGEST}`,
      "FROM build AS final",
      "FROM public.ecr.aws/docker/library/busybox:1",
      "FROM localhost:5000/tools",
      "from scratch",
      "ARG BASE=node",
      "FROM ${BASE}:20",
      "COPY --from=build /a /b",
      `COPY --chown=1:1 --from=${cache}/library/nginx:1.27 /etc/nginx /etc/nginx`,
      "COPY --from=0 /a /b",
      "RUN echo FROM golang",
      "",
    ]);
    expect(run.output).toContain(`golang:1.19.3-alpine3.16 -> ${cache}/library/golang:1.19.3-alpine3.16`);
    // The cache lives in the private registry the build is logged in to already.
    expect(run.calls.filter((c) => c.startsWith("docker login"))).toEqual([`docker login --username AWS --password-stdin ${REGISTRY} <registry-password>`]);
  });

  test("ecr-public: takes Docker Official Images from ECR Public, logged in, and keeps other Docker Hub images", () => {
    const run = preBuild("ecr-public");
    expect(run.status).toBe(0);
    const lines = run.dockerfile.split("\n");
    expect(lines[0]).toBe("FROM public.ecr.aws/docker/library/golang:1.19.3-alpine3.16 AS build");
    expect(lines[1]).toBe("FROM --platform=linux/amd64 public.ecr.aws/docker/library/alpine:3.20");
    expect(lines[2]).toBe(`FROM bitnami/kubectl@sha256:${DIGEST}`);
    expect(lines[10]).toBe("COPY --chown=1:1 --from=public.ecr.aws/docker/library/nginx:1.27 /etc/nginx /etc/nginx");
    expect(lines.slice(3, 10)).toEqual(DOCKERFILE.split("\n").slice(3, 10));
    expect(run.output).toContain(`kept on Docker Hub (not a Docker Official Image): bitnami/kubectl@sha256:${DIGEST}`);
    expect(run.calls).toContain("docker login --username AWS --password-stdin public.ecr.aws <registry-password>");
    expect(run.calls).toContain("aws ecr-public get-login-password --region us-east-1 <>");
  });

  test("login: logs in to Docker Hub with the secret's user and token (token on stdin only) and leaves the Dockerfile", () => {
    const token = ["dckr", "pat", "x".repeat(20)].join("_");
    const run = preBuild("login", { DOCKER_HUB_USERNAME: "chatbuilder", DOCKER_HUB_ACCESS_TOKEN: token });
    expect(run.status).toBe(0);
    expect(run.dockerfile).toBe(DOCKERFILE);
    expect(run.calls).toContain(`docker login --username chatbuilder --password-stdin <${token}>`);
    expect(run.output).not.toContain(token);
  });

  test("rewrites the chat backend's own Dockerfile", () => {
    fs.writeFileSync(
      path.join(tmp, "Dockerfile"),
      'FROM golang:1.19.3-alpine3.16\n\nCOPY src /app/src\nWORKDIR /app/src\n\nRUN go build .\n\nCMD ["/app/src/simple_http_chatapp"]\n',
    );
    expect(preBuild("ecr-public").dockerfile.split("\n")[0]).toBe("FROM public.ecr.aws/docker/library/golang:1.19.3-alpine3.16");
  });
});
