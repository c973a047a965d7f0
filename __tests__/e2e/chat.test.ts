// The chat configuration: the chat stack with every production edge on
// (custom domain, $connect authorizer, route limits), deployed ONCE on the
// emulator through the cdktf CLI (`npm run deploy -- chat`), read back by
// every check below, planned again (`npm run diff`, empty) and destroyed
// (`npm run destroy`). A test that needs the deployed chat stack is a check
// module called here with one line (docs/testing.md, "Adding a test that
// needs a deployed stack"); do not deploy the chat stack anywhere else.
import { CHAT } from "../support/deployments";
import { describeDeployment } from "../support/deployment";
import { accountRoleChecks } from "./checks/account-role";
import { cdktfCliDeployChecks } from "./checks/cdktf-cli";
import { chatChecks } from "./checks/chat";
import { chatEdgeChecks } from "./checks/chat-edges";
import { dashboardChecks } from "./checks/dashboard";
import { tracingUpgradeChecks } from "./checks/tracing-upgrade";

describeDeployment("chat stack with a custom domain, a $connect authorizer and route limits, deployed on the emulator through the cdktf CLI", CHAT, (ctx) => {
  cdktfCliDeployChecks(ctx);
  chatChecks(ctx);
  chatEdgeChecks(ctx);
  dashboardChecks(() => ({
    cfg: ctx().sdk,
    dashboardName: "chat-dev",
    apiId: ctx().outputs.api_id,
    stageName: "prod",
    accessLogGroupName: ctx().outputs.api_access_log_group_name,
    loadBalancerName: "chat-dev-nlb",
    service: { clusterName: ctx().outputs.ecs_cluster_name, serviceName: ctx().outputs.ecs_service_name },
    tableName: ctx().outputs.connections_table_name,
  }));
  tracingUpgradeChecks(ctx);
  accountRoleChecks(ctx);
});
