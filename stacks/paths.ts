import * as path from "path";

/**
 * The project folder, whether this code runs from its TypeScript sources
 * (ts-node, jest) or from the transpiled copy in dist/.
 */
export const PROJECT_DIR = path.basename(path.resolve(__dirname, "..")) === "dist" ? path.resolve(__dirname, "..", "..") : path.resolve(__dirname, "..");

/** The deploy-actions Lambda handler's folder. */
export const DEPLOY_ACTIONS_CODE_DIR = path.join(PROJECT_DIR, "constructs", "deploy-actions");
