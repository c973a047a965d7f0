import { ecrRepositoryArn } from "../../stacks/ecr-repository-arn";

const DIGEST = "sha256:" + "a".repeat(64);
const ECR_IMAGE = `123456789012.dkr.ecr.us-east-1.amazonaws.com/chat/backend@${DIGEST}`;

describe("ecrRepositoryArn", () => {
  test("derives the repository ARN from a private ECR image reference", () => {
    expect(ecrRepositoryArn(ECR_IMAGE)).toBe("arn:aws:ecr:us-east-1:123456789012:repository/chat/backend");
    expect(ecrRepositoryArn("123456789012.dkr.ecr.eu-west-1.amazonaws.com/chat:v1.2.3")).toBe("arn:aws:ecr:eu-west-1:123456789012:repository/chat");
    expect(ecrRepositoryArn("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/chat:v1")).toBe("arn:aws-cn:ecr:cn-north-1:123456789012:repository/chat");
  });

  test("gives nothing for images outside private ECR", () => {
    expect(ecrRepositoryArn("ghcr.io/acme/chat:v1")).toBeUndefined();
    expect(ecrRepositoryArn("public.ecr.aws/acme/chat:v1")).toBeUndefined();
    expect(ecrRepositoryArn("docker.io/library/nginx:1.27")).toBeUndefined();
  });

  test("derives the aws-us-gov partition for GovCloud repositories", () => {
    expect(ecrRepositoryArn("123456789012.dkr.ecr.us-gov-west-1.amazonaws.com/chat:v1")).toBe("arn:aws-us-gov:ecr:us-gov-west-1:123456789012:repository/chat");
  });
});
