/** The ARN of a private ECR repository an image reference points into, if any. */
export function ecrRepositoryArn(imageUri: string): string | undefined {
  const m = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?\/([^:@]+)/.exec(imageUri);
  if (!m) return undefined;
  const partition = m[3] ? "aws-cn" : m[2].startsWith("us-gov-") ? "aws-us-gov" : "aws";
  return `arn:${partition}:ecr:${m[2]}:${m[1]}:repository/${m[4]}`;
}
