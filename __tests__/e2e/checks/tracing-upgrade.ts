import * as fs from "fs";
import * as path from "path";
import type { DeploymentContext } from "../../support/deployment";
import { localState } from "../../support/e2e";
import { planJson, synthInto } from "../../support/terraform";

/** Resource changes of a plan other than no-ops and data reads: [address, actions]. */
function changesOf(plan: any): Array<[string, string[]]> {
  return (plan.resource_changes ?? [])
    .filter((c: any) => c.mode === "managed" && !(c.change.actions.length === 1 && c.change.actions[0] === "no-op"))
    .map((c: any) => [c.address, c.change.actions]);
}

/**
 * The upgrade of the tracing sidecar, tested on a real plan: the chat stack
 * synthesized with the previous default (`chat.backend.tracing:
 * "xray-daemon"`) is planned against the state of the deployment made with
 * the new one (ADOT). Switching in either direction is the same set of
 * changes, so the plan shows what an existing stack's upgrade shows: the task
 * definition replaced (a new revision with the other sidecar) and the service
 * moved to it, nothing else. Called with one line by the file that deploys
 * the chat stack; no apply of its own.
 */
export function tracingUpgradeChecks(ctx: () => DeploymentContext): void {
  test(
    "switching the tracing sidecar between the X-Ray daemon (the previous default) and ADOT plans only the sidecar's change: a new task definition revision and the service moved to it",
    async () => {
      // GIVEN the deployed state, and the stack synthesized with the deployment's settings and the previous default
      const d = ctx();
      // The deployment's settings file (WSGW_CONFIG), beside its cdktf.out (deployments.ts, chatViaCdktfCli).
      const settings = JSON.parse(fs.readFileSync(path.join(d.dir, "..", "..", "..", "settings.json"), "utf8"));
      const outdir = path.join(d.workdir, "previous-default");
      synthInto(outdir, { ...settings, chat: { ...settings.chat, backend: { ...settings.chat?.backend, tracing: "xray-daemon" } } });
      const dir = path.join(outdir, "stacks", "chat");
      fs.writeFileSync(path.join(dir, "e2e.tfstate"), JSON.stringify(await d.state()));
      localState(dir);
      // WHEN it is planned against that state
      const plan = planJson(dir);
      // THEN only the task definition (replaced) and the service (updated in place) change
      const changes = changesOf(plan);
      expect(changes.map(([address, actions]) => [address.replace(/_[0-9A-F]{8}$/, ""), [...actions].sort()])).toEqual([
        ["aws_ecs_service.backend-service", ["update"]],
        ["aws_ecs_task_definition.backend-service_TaskDefinition", ["create", "delete"]],
      ]);
      // the task definition swaps the sidecar, and the service changes its task definition only
      const byType = (type: string) => plan.resource_changes.find((c: any) => c.type === type).change;
      const td = byType("aws_ecs_task_definition");
      const names = (json: string) => JSON.parse(json).map((c: any) => c.name);
      expect(names(td.before.container_definitions).sort()).toEqual(["backend", "otel-collector"]);
      if (typeof td.after?.container_definitions === "string") expect(names(td.after.container_definitions).sort()).toEqual(["backend", "xray-daemon"]);
      expect(td.replace_paths).toEqual([["container_definitions"]]);
      const service = byType("aws_ecs_service");
      const keys = new Set([...Object.keys(service.before), ...Object.keys(service.after)]);
      const changed = [...keys].filter((k) => service.after_unknown?.[k] === true || JSON.stringify(service.before[k]) !== JSON.stringify(service.after[k]));
      expect(changed).toEqual(["task_definition"]);
    },
    10 * 60_000,
  );
}
