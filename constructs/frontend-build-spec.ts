/** What the build leaves for the deploy action: the Amplify job it started. */
export const AMPLIFY_JOB_ID_VARIABLE = "AMPLIFY_JOB_ID";

/** What {@link frontendBuildSpec} needs. */
export interface FrontendBuildSpecOptions {
  /**
   * Commands that build the frontend into `outputDirectory`: the build
   * phase, run from the source's root in one bash.
   * @default DEFAULT_FRONTEND_BUILD_COMMANDS (a clean install, then `npm run build`)
   */
  readonly buildCommands?: string[];
  readonly outputDirectory: string;
  readonly nodeVersion: string;
}

/** The default build: a clean install from the lock file when there is one, then the build script. */
export const DEFAULT_FRONTEND_BUILD_COMMANDS = [
  "if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi",
  "npm run build",
];

/**
 * The CodeBuild build spec: build, zip the output folder's content (Amplify
 * serves the zip's root), then CreateDeployment, PUT the zip to the
 * returned upload URL (never printed) and StartDeployment with the job id,
 * which the build exports for the deploy action. CreateDeployment without a
 * fileMap returns one `zipUploadUrl` for the whole zip (API reference,
 * CreateDeployment response); StartDeployment must follow within 8 hours.
 * Commands share one bash (buildspec 0.2), so the job id read in one
 * command is there in the next.
 */
export function frontendBuildSpec(options: FrontendBuildSpecOptions): string {
  const out = options.outputDirectory.replace(/\/+$/, "");
  const commands = options.buildCommands ?? DEFAULT_FRONTEND_BUILD_COMMANDS;
  return [
    "version: 0.2",
    "env:",
    "  shell: bash",
    "  exported-variables:",
    `    - ${AMPLIFY_JOB_ID_VARIABLE}`,
    "phases:",
    "  install:",
    "    runtime-versions:",
    `      nodejs: ${options.nodeVersion}`,
    "  build:",
    "    commands:",
    ...commands.map((c) => `      - ${JSON.stringify(c)}`),
    "  post_build:",
    "    commands:",
    '      - test "$CODEBUILD_BUILD_SUCCEEDING" = "1"',
    `      - ${JSON.stringify(`test -f "${out}/index.html" || { echo "${out}/index.html is missing: the build wrote no static site there" >&2; exit 1; }`)}`,
    `      - ${JSON.stringify(`cd "${out}" && zip -qr "$CODEBUILD_SRC_DIR/site.zip" . && cd "$CODEBUILD_SRC_DIR"`)}`,
    `      - ${JSON.stringify(`read -r ${AMPLIFY_JOB_ID_VARIABLE} UPLOAD_URL < <(aws amplify create-deployment --app-id "$AMPLIFY_APP_ID" --branch-name "$AMPLIFY_BRANCH_NAME" --query "[jobId, zipUploadUrl]" --output text)`)}`,
    `      - export ${AMPLIFY_JOB_ID_VARIABLE}`,
    `      - ${JSON.stringify('curl --fail --silent --show-error --request PUT --header "Content-Type: application/zip" --upload-file site.zip "$UPLOAD_URL"')}`,
    `      - ${JSON.stringify(`aws amplify start-deployment --app-id "$AMPLIFY_APP_ID" --branch-name "$AMPLIFY_BRANCH_NAME" --job-id "$${AMPLIFY_JOB_ID_VARIABLE}" --query "jobSummary.[jobId, status]" --output text`)}`,
    "",
  ].join("\n");
}
