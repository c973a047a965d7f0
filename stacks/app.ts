import { App } from "cdktf";
import { ChatStack, CHAT_STACK } from "./chat-stack";
import { deployActionsArchive } from "./deploy-actions-archive";
import { DEPLOY_ACTIONS_CODE_DIR } from "./paths";
import { Settings } from "./settings";
import { WebSocketAlbStack } from "./websocket-alb-stack";
import { WebSocketNlbStack } from "./websocket-nlb-stack";

/** The stacks of the project, by their contract names. */
export interface ProjectStacks {
  readonly app: App;
  readonly nlb: WebSocketNlbStack;
  readonly alb: WebSocketAlbStack;
  readonly chat: ChatStack;
}

/** cdktf feature flags the logical ids depend on (as in cdktf.json). */
export const APP_CONTEXT = { excludeStackIdFromLogicalIds: "true", allowSepCharsInLogicalIds: "true" };

/** Builds every stack from validated settings; nothing is written until synth. */
export function buildApp(settings: Settings, outdir: string): ProjectStacks {
  const app = new App({ outdir, context: APP_CONTEXT, stackTraces: false });
  // One zip of the handler, the same bytes on every machine (its hash is in the state).
  const deployActionsCode = deployActionsArchive(DEPLOY_ACTIONS_CODE_DIR);
  return {
    app,
    nlb: new WebSocketNlbStack(app, undefined, { deployActionsCode }),
    alb: new WebSocketAlbStack(app, undefined, { deployActionsCode }),
    chat: new ChatStack(app, CHAT_STACK, { settings, deployActionsCodeDir: deployActionsCode }),
  };
}
