import { CloudBackend, LocalBackend, NamedCloudWorkspace, S3Backend, TaggedCloudWorkspaces, TerraformStack } from "cdktf";
import { Settings } from "./settings";

/**
 * Sets where a root stack keeps its Terraform state:
 * - `local`: `terraform.<stack>.tfstate` in the project folder (one user),
 *   written as a path relative to the stack's folder so cdktf.out stays
 *   portable;
 * - `s3`: `<keyPrefix>/<stack>/terraform.tfstate` in a bucket, always
 *   encrypted, locked with an S3 lock file (Terraform 1.10+);
 * - `cloud`: an HCP Terraform / Terraform Enterprise workspace, by name or tags.
 */
export function configureStateBackend(stack: TerraformStack, stackName: string, settings: Settings, localStateDir: string): void {
  const state = settings.state;
  switch (state.backend) {
    case "local":
      new LocalBackend(stack, { path: `${localStateDir}/terraform.${stackName}.tfstate` });
      return;
    case "s3":
      new S3Backend(stack, {
        bucket: state.s3.bucket!,
        key: `${state.s3.keyPrefix}/${stackName}/terraform.tfstate`,
        region: state.s3.region ?? settings.region,
        encrypt: true,
        kmsKeyId: state.s3.kmsKeyArn ?? undefined,
      });
      if (state.s3.useLockfile) stack.addOverride("terraform.backend.s3.use_lockfile", true);
      return;
    case "cloud":
      new CloudBackend(stack, {
        hostname: state.cloud.hostname,
        organization: state.cloud.organization!,
        workspaces:
          state.cloud.workspace !== null
            ? new NamedCloudWorkspace(state.cloud.workspace, state.cloud.project ?? undefined)
            : new TaggedCloudWorkspaces(state.cloud.workspaceTags, state.cloud.project ?? undefined),
      });
      return;
  }
}
