import { defineRule } from "./rule";
import { asString, UNKNOWN } from "./values";

/** WSG-ECR-001: immutable image tags. */
export const immutableTags = defineRule({
  id: "WSG-ECR-001",
  checkov: ["CKV_AWS_51"],
  description:
    'ECR repositories have immutable image tags (image_tag_mutability "IMMUTABLE"; unset means MUTABLE): a pushed tag cannot be overwritten, so a task definition that names a tag always runs the image that was built for it.',
  fix: 'set image_tag_mutability = "IMMUTABLE" (ContainerImage does) and push every build under a new tag, e.g. derived from the source revision',
  severity: "error",
  details: "`aws_ecr_repository.image_tag_mutability` is `IMMUTABLE` or `IMMUTABLE_WITH_EXCLUSION` (unset means `MUTABLE`).",
  suppressOn: "the repository",
  checkovDeviation:
    "CKV_AWS_51 accepts only `IMMUTABLE`; WSG-ECR-001 also accepts `IMMUTABLE_WITH_EXCLUSION` (immutable except for the tags the repository excludes on purpose).",
  check: ({ model }, report) => {
    for (const repository of model.resources("aws_ecr_repository")) {
      const value = asString(repository.config.image_tag_mutability);
      if (value === UNKNOWN || value === "IMMUTABLE" || value === "IMMUTABLE_WITH_EXCLUSION") continue;
      report(repository, "image_tag_mutability", '"IMMUTABLE"', value ?? "MUTABLE (unset)");
    }
  },
});

export const ECR_RULES = [immutableTags];
