import { TerraformStack, Testing } from "cdktf";
import { configureStateBackend } from "../../stacks/state-backend";
import { settingsWith, synthJson } from "../helpers";

/** The `terraform` block of a bare stack whose backend is configured for `overrides`. */
function terraformBlock(overrides: unknown, localStateDir = "../../..") {
  const stack = new TerraformStack(Testing.app(), "chat");
  configureStateBackend(stack, "chat", settingsWith(overrides), localStateDir);
  return synthJson(stack).terraform;
}

describe("configureStateBackend", () => {
  test("keeps local state in the given folder, one file per stack", () => {
    expect(terraformBlock({}, "state")).toEqual({ backend: { local: { path: "state/terraform.chat.tfstate" } } });
  });

  test("encrypts S3 state with S3-managed keys when no KMS key is given", () => {
    expect(terraformBlock({ state: { backend: "s3", s3: { bucket: "acme-tf-state" } } }).backend).toEqual({
      s3: { bucket: "acme-tf-state", key: "websocket-gateway/chat/terraform.tfstate", region: "us-east-1", encrypt: true, use_lockfile: true },
    });
  });

  test("selects a named workspace without a project", () => {
    expect(terraformBlock({ state: { backend: "cloud", cloud: { organization: "acme", workspace: "chat" } } })).toEqual({
      cloud: { hostname: "app.terraform.io", organization: "acme", workspaces: { name: "chat" } },
    });
  });

  test("selects tagged workspaces in a project", () => {
    expect(terraformBlock({ state: { backend: "cloud", cloud: { organization: "acme", workspaceTags: ["chat"], project: "websocket" } } }).cloud).toEqual({
      hostname: "app.terraform.io",
      organization: "acme",
      workspaces: { tags: ["chat"], project: "websocket" },
    });
  });
});
