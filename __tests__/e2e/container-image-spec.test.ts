// The backend image's CodeBuild build spec, pre_build phase run for real
// (bash, python3) with stand-in `aws` and `docker` commands: what each Docker
// Hub access kind does to the Dockerfile and which registries it logs in to.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildSpec, INLINE_DOCKERFILE } from "../../constructs/container-image-build-spec";
import { DockerHubAccess } from "../../constructs/docker-hub-access";
import { CHAT_BACKEND_BINARY, chatBackendDockerfile, DEFAULT_GO_VERSION } from "../../stacks/chat-backend-dockerfile";
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

/**
 * A stand-in `docker` for the whole build: `build --file F --tag T .` reads F
 * as Docker would (stages, FROM, COPY sources in the context, COPY --from,
 * ENV, EXPOSE, USER, ENTRYPOINT; RUN steps recorded, not run: there is no Go
 * here), fails like Docker when a COPY source is missing, and writes the
 * final stage's image configuration (as `docker image inspect` shows it:
 * User, Env, ExposedPorts, Entrypoint) and what the final stage holds to
 * images/<tag>.json; `push T` records the push; `login` reads stdin.
 */
const DOCKER_STAND_IN = String.raw`#!/usr/bin/env python3
import json, os, re, sys
args = sys.argv[1:]
log = os.environ["STAND_IN_LOG"]
def record(line):
    open(log, "a").write(line + "\n")
if args[0] == "login":
    sys.stdin.read()
    record("docker " + " ".join(args))
    sys.exit(0)
if args[0] == "push":
    record("docker push " + args[1])
    sys.exit(0)
assert args[0] == "build", args
dockerfile = args[args.index("--file") + 1]
tag = args[args.index("--tag") + 1]
context = args[-1]
record("docker build --file %s --tag %s %s" % (dockerfile, tag, context))
stages, current = [], None
for raw in open(dockerfile).read().split("\n"):
    line = raw.strip()
    if not line or line.startswith("#"):
        continue
    op, _, rest = line.partition(" ")
    op = op.upper()
    if op == "FROM":
        m = re.match(r"^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$", rest, re.I)
        current = {"base": m.group(1), "name": m.group(2), "user": "", "env": [], "ports": [], "entrypoint": None, "files": [], "runs": []}
        stages.append(current)
    elif op == "COPY":
        parts = rest.split()
        src_from = [p.split("=", 1)[1] for p in parts if p.startswith("--from=")]
        paths = [p for p in parts if not p.startswith("--")]
        sources, dest = paths[:-1], paths[-1]
        if src_from:
            stage = next(s for s in stages if s["name"] == src_from[0])
            current["files"].append({"from": src_from[0], "sources": sources, "dest": dest})
        else:
            for src in sources:
                if not os.path.exists(os.path.join(context, src)):
                    sys.stderr.write("COPY failed: file not found in build context: %s\n" % src)
                    sys.exit(1)
            current["files"].append({"from": "context", "sources": sources, "dest": dest})
    elif op == "ENV":
        current["env"] += rest.split()
    elif op == "EXPOSE":
        current["ports"] += [p if "/" in p else p + "/tcp" for p in rest.split()]
    elif op == "USER":
        current["user"] = rest
    elif op == "ENTRYPOINT":
        current["entrypoint"] = json.loads(rest)
    elif op == "RUN":
        current["runs"].append(rest)
    elif op not in ("WORKDIR", "CMD", "ARG", "LABEL"):
        sys.stderr.write("stand-in docker does not know %s\n" % op)
        sys.exit(1)
final = stages[-1]
os.makedirs("images", exist_ok=True)
json.dump({"Config": {"User": final["user"], "Env": final["env"], "ExposedPorts": {p: {} for p in final["ports"]}, "Entrypoint": final["entrypoint"]},
           "Base": final["base"], "Files": final["files"], "Stages": [{"base": s["base"], "runs": s["runs"]} for s in stages]},
          open(os.path.join("images", re.sub(r"[^A-Za-z0-9._-]", "_", tag) + ".json"), "w"), indent=1)
`;

describeWith(["bash", "python3"])("the chat backend's image, built by the whole build spec with stand-in aws and docker", () => {
  let repo: string;
  const TAG = `${REGISTRY}/chat-dev-backend:v1`;

  beforeEach(() => {
    // A checkout laid out as Faaizz/simple_http_chatapp is: src/ holds the module, its root Dockerfile is the upstream one.
    repo = fs.mkdtempSync(path.join(os.tmpdir(), "backend-image-"));
    fs.mkdirSync(path.join(repo, "src"));
    for (const f of ["go.mod", "go.sum", "main.go"]) fs.writeFileSync(path.join(repo, "src", f), `// ${f}\n`);
    fs.writeFileSync(
      path.join(repo, "Dockerfile"),
      'FROM golang:1.19.3-alpine3.16\n\nCOPY src /app/src\nWORKDIR /app/src\n\nRUN go build .\n\nCMD ["/app/src/simple_http_chatapp"]\n',
    );
    fs.mkdirSync(path.join(repo, "bin"));
    fs.writeFileSync(path.join(repo, "bin", "docker"), DOCKER_STAND_IN, { mode: 0o755 });
    fs.writeFileSync(
      path.join(repo, "bin", "aws"),
      `#!/bin/bash\necho "aws $*" >> "$STAND_IN_LOG"\n[ "$2" = "get-login-password" ] && echo registry-password\nexit 0\n`,
      { mode: 0o755 },
    );
  });
  afterEach(() => fs.rmSync(repo, { recursive: true, force: true }));

  /** Runs the spec's three phases as CodeBuild does (one shell per phase list; post_build after build), in the checkout. */
  function runBuild(spec: string) {
    const phases = yaml.safeLoad(spec).phases;
    const script = ["set -e", ...phases.pre_build.commands, ...phases.build.commands, "CODEBUILD_BUILD_SUCCEEDING=1", ...phases.post_build.commands].join("\n");
    const log = path.join(repo, "calls.log");
    const r = spawnSync("bash", ["-c", script], {
      cwd: repo,
      encoding: "utf8",
      env: {
        ...process.env,
        PATH: `${path.join(repo, "bin")}:${process.env.PATH}`,
        STAND_IN_LOG: log,
        AWS_REGION: "us-east-1",
        REPOSITORY_URI: `${REGISTRY}/chat-dev-backend`,
        IMAGE_TAG: "v1",
      },
    });
    const image = path.join(repo, "images", `${TAG.replace(/[^A-Za-z0-9._-]/g, "_")}.json`);
    return {
      status: r.status,
      output: `${r.stdout}${r.stderr}`,
      calls: fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [],
      image: fs.existsSync(image) ? JSON.parse(fs.readFileSync(image, "utf8")) : undefined,
    };
  }

  const projectSpec = (kind: DockerHubAccess["kind"] = "ecr-public") =>
    buildSpec(INLINE_DOCKERFILE, kind, chatBackendDockerfile({ goVersion: DEFAULT_GO_VERSION, port: 8080 }));

  test("builds the unchanged source on a supported Go from ECR Public into a scratch image that runs as a non-root user on port 8080", () => {
    // WHEN
    const run = runBuild(projectSpec());
    // THEN the build wrote the project's Dockerfile, pulled golang from ECR Public and pushed the image
    expect(run.status).toBe(0);
    const written = fs.readFileSync(path.join(repo, INLINE_DOCKERFILE), "utf8");
    expect(written.split("\n")).toContain(`FROM public.ecr.aws/docker/library/golang:${DEFAULT_GO_VERSION}-alpine AS build`);
    expect(written.split("\n")).toContain("FROM scratch");
    expect(run.calls).toContain(`docker build --file ${INLINE_DOCKERFILE} --tag ${TAG} .`);
    expect(run.calls[run.calls.length - 1]).toBe(`docker push ${TAG}`);
    // the image: no base, no toolchain (only the binary and the CA certificates come from the build stage)
    expect(run.image.Base).toBe("scratch");
    expect(run.image.Files).toEqual([
      { from: "build", sources: ["/etc/ssl/certs/ca-certificates.crt"], dest: "/etc/ssl/certs/ca-certificates.crt" },
      { from: "build", sources: [`/out/${CHAT_BACKEND_BINARY}`], dest: `/${CHAT_BACKEND_BINARY}` },
    ]);
    // its user is not root: a numeric uid other than 0 (scratch has no /etc/passwd to name one)
    const [uid, gid] = run.image.Config.User.split(":");
    expect(Number(uid)).toBeGreaterThan(0);
    expect(Number(gid)).toBeGreaterThan(0);
    expect(run.image.Config).toMatchObject({ Env: ["HTTP_PORT=8080"], ExposedPorts: { "8080/tcp": {} }, Entrypoint: [`/${CHAT_BACKEND_BINARY}`] });
    // the source is built as it is, statically, by the image's own Go
    expect(run.image.Stages[0].runs).toEqual(["go mod download", `go build -trimpath -ldflags="-s -w" -o /out/${CHAT_BACKEND_BINARY} .`]);
    expect(written).toContain("ENV CGO_ENABLED=0 GOTOOLCHAIN=local");
  });

  test("fails like Docker when the checkout is not laid out as the backend's repository (no src/go.sum)", () => {
    fs.rmSync(path.join(repo, "src", "go.sum"));
    const run = runBuild(projectSpec());
    expect(run.status).not.toBe(0);
    expect(run.output).toContain("COPY failed: file not found in build context: src/go.sum");
    expect(run.calls).not.toContain(`docker push ${TAG}`);
  });

  test("pulls golang from Docker Hub itself with dockerHub.kind anonymous", () => {
    expect(runBuild(projectSpec("anonymous")).image.Stages[0].base).toBe(`golang:${DEFAULT_GO_VERSION}-alpine`);
  });

  test("still builds the repository's own Dockerfile when it is chosen (chat.backend.image.dockerfile: Dockerfile), which runs as root", () => {
    const run = runBuild(buildSpec("Dockerfile", "ecr-public"));
    expect(run.status).toBe(0);
    expect(run.calls).toContain(`docker build --file Dockerfile --tag ${TAG} .`);
    expect(fs.existsSync(path.join(repo, INLINE_DOCKERFILE))).toBe(false);
    expect(run.image).toMatchObject({ Base: "public.ecr.aws/docker/library/golang:1.19.3-alpine3.16", Config: { User: "" } });
  });
});
