import { defineRule } from "./rule";
import { matches, oneOf, pattern } from "./shapes";

/* Rules of where the backend and frontend come from: repositories, refs, images. */

/** `https://github.com/<owner>/<repo>`, optionally ending in `.git`. */
export const GITHUB_REPOSITORY = pattern(
  "^https://github\\.com/[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}?(\\.git)?$",
  "a GitHub repository URL (https://github.com/<owner>/<repo>)",
  "give the https URL of the repository",
);

/** A branch, tag or commit (git check-ref-format, roughly). */
export const GIT_REF = pattern(
  "^(?!/)(?!.*/$)(?!.*\\.\\.)(?!.*@\\{)[A-Za-z0-9._/-]{1,255}$",
  "a Git branch, tag or commit",
  'use for example "main" or a commit SHA',
);

/** A path inside a repository. */
export const RELATIVE_PATH = pattern("^(?!/)[A-Za-z0-9._/-]{1,255}$", "a relative path", 'use for example "Dockerfile"');

/**
 * A Go release as the golang image tags name it (`1.26`): Docker Official
 * Images publish `<major>.<minor>-alpine` for every supported release.
 */
export const GO_VERSION = pattern(
  "^1\\.[0-9]{2,3}$",
  "a Go release 1.<minor>, e.g. 1.26",
  "pick a release Go still supports (the newest two: https://go.dev/doc/devel/release#policy)",
);

/** An image tag that is not "latest" (tags are immutable here: a new tag is a new release). */
export const IMMUTABLE_IMAGE_TAG = defineRule<string>({
  clauses: [
    matches("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", "an image tag (letters, digits, _ . -; at most 128)", "use a version or a commit SHA"),
    { rule: 'an immutable tag, not "latest"', fix: "tags are immutable here: use a version or a commit SHA", test: (tag) => tag !== "latest" },
  ],
});

/** An image reference pinned by tag or digest; never ":latest". */
export const PINNED_IMAGE = defineRule<string>({
  clauses: [
    matches(
      "^[a-z0-9.-]+(:\\d+)?/[a-z0-9._/-]+(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[0-9a-f]{64})$",
      "an image reference with a tag or digest (<registry>/<repository>:<tag> or @sha256:<digest>)",
      "give the full image reference",
    ),
    {
      rule: 'an image with an immutable tag or digest, not ":latest"',
      fix: "a mutable tag never triggers a redeploy; pin a version or digest",
      test: (image) => !image.endsWith(":latest"),
    },
  ],
});

/** Where the chat frontend comes from: built by CodeBuild and published by manual deployment, or an Amplify-connected repository. */
export const FRONTEND_SOURCES = ["build", "repository"] as const;

/** A folder inside a repository (a build's output). */
export const OUTPUT_DIRECTORY = pattern(
  "^(?!/)(?!.*\\.\\.)[A-Za-z0-9._/-]{1,255}$",
  "a folder relative to the repository root",
  'use for example "out" or "dist"',
);

/**
 * Name of a frontend build (FrontendBuild.name, the manual Amplify frontend's
 * app name): its role is `<name>-build`, and IAM role names allow 64 characters.
 */
export const FRONTEND_BUILD_NAME = pattern(
  "^[A-Za-z0-9][A-Za-z0-9_-]{1,58}$",
  "2 to 59 letters, digits, hyphens or underscores, starting with a letter or digit",
  "the build role is <name>-build, and IAM role names allow 64 characters",
);

/** A Node.js major version, as CodeBuild's runtime-versions take it. */
export const NODE_MAJOR_VERSION = pattern("^[0-9]{2}$", "a Node.js major version (two digits)", 'use for example "22"');

/** How an image build reaches Docker Hub's images (see ContainerImage's DockerHubAccess). */
export const DOCKER_HUB_ACCESS_KINDS = ["ecr-public", "anonymous", "login", "pull-through-cache"] as const;
export const DOCKER_HUB_ACCESS_KIND = oneOf(DOCKER_HUB_ACCESS_KINDS);

/**
 * Repository prefix of an ECR pull through cache rule: 2 to 30 lowercase
 * characters, ECR repository name segments
 * (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreatePullThroughCacheRule.html).
 */
export const ECR_REPOSITORY_PREFIX = pattern(
  "^(?=.{2,30}$)(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$",
  "an ECR repository prefix of 2 to 30 lowercase letters, digits and . _ - /",
  'use for example "docker-hub"',
);
