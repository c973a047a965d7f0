import * as fs from "fs";
import * as path from "path";
import { describeWith, removeWorkdir, synthInto, terraform, workdir } from "../support/terraform";

const KINDS: Array<[string, unknown, Record<string, unknown>]> = [
  ["local", { state: { backend: "local" } }, { local: { path: "../../../terraform.chat.tfstate" } }],
  [
    "s3",
    { state: { backend: "s3", s3: { bucket: "my-tf-state", kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/0e8a4e43-2f83-4a71-8c8f-8d2f0b7c1a11" } } },
    { s3: expect.objectContaining({ bucket: "my-tf-state", key: "websocket-gateway/chat/terraform.tfstate", encrypt: true, use_lockfile: true }) },
  ],
  ["cloud, named workspace", { state: { backend: "cloud", cloud: { organization: "acme", workspace: "chat-prod" } } }, {}],
  ["cloud, tagged workspaces", { state: { backend: "cloud", cloud: { organization: "acme", workspaceTags: ["chat"], project: "realtime" } } }, {}],
];

describeWith(["terraform"])("every state backend kind", () => {
  test.each(KINDS)("%s synthesizes a backend that terraform validates (the backend is not contacted)", (kind, overrides, backend) => {
    const outdir = workdir(`backend-${kind.replace(/\W+/g, "-")}`);
    try {
      synthInto(outdir, overrides);
      const dir = path.join(outdir, "stacks", "chat");
      const json = JSON.parse(fs.readFileSync(path.join(dir, "cdk.tf.json"), "utf8"));
      if (kind.startsWith("cloud")) {
        expect(json.terraform.cloud).toMatchObject({ organization: "acme", hostname: "app.terraform.io" });
        expect(json.terraform.backend).toBeUndefined();
      } else {
        expect(json.terraform.backend).toEqual(backend);
      }
      terraform(dir, ["init", "-input=false", "-backend=false"]);
      expect(terraform(dir, ["validate"])).toMatch(/The configuration is valid/);
    } finally {
      removeWorkdir(outdir);
    }
  });
});
