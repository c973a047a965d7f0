// Five suites: unit (fast, no external tools), terraform (validate and plan
// with the real provider), e2e (apply on the moto emulator), gateway (the
// local WebSocket gateway, with real sockets) and clone (every documented
// command run from a fresh clone of HEAD). Environment
// set here, in jest's parent process, reaches every worker and every
// terraform process they start.
const path = require("path");
const fs = require("fs");
const { terraformEnv } = require("./scripts/terraform-env");

Object.assign(process.env, terraformEnv());
// Go's garbage collector in every terraform and provider process the tests
// start: most of a test's terraform CPU is the AWS provider building its
// schema (about 3 CPU-s per process, ~65 processes in the terraform suite),
// much of it collecting garbage at the default GOGC=100. Off until the heap
// reaches 512 MiB, the same plan took a third less CPU (4.7 -> 3.2 CPU-s; its
// largest process 640 -> 730 MB resident). docs/testing.md, "Where the time goes".
process.env.GOGC ??= "off";
process.env.GOMEMLIMIT ??= "512MiB";
// cdktf's Testing helpers leave temporary folders behind: keep them in one place.
const tmp = path.join(__dirname, ".tmp", "jest");
fs.mkdirSync(tmp, { recursive: true });
process.env.TMPDIR = tmp;

const transform = { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] };
// .tmp/clone/ holds the fresh clone of the project (the clone suite): keep it out of jest's module map.
const common = {
  testEnvironment: "node",
  transform,
  moduleFileExtensions: ["ts", "js", "json"],
  setupFilesAfterEnv: ["<rootDir>/__tests__/setup.js"],
  modulePathIgnorePatterns: ["<rootDir>/.tmp/clone/"],
};
// Projects that wait on terraform, the emulator or sockets: two minutes per test unless it says otherwise.
const slow = { ...common, setupFilesAfterEnv: [...common.setupFilesAfterEnv, "<rootDir>/__tests__/setup-slow.js"] };

module.exports = {
  // Long files first when several run at once (a fresh clone has no cached durations).
  testSequencer: "<rootDir>/__tests__/support/sequencer.js",
  projects: [
    { ...common, displayName: "unit", testMatch: ["<rootDir>/__tests__/{constructs,stacks,scripts}/**/*.test.ts"] },
    { ...common, displayName: "terraform", testMatch: ["<rootDir>/__tests__/terraform/**/*.test.ts"] },
    { ...slow, displayName: "e2e", testMatch: ["<rootDir>/__tests__/e2e/**/*.test.ts"] },
    // The local WebSocket gateway (local-gateway/): real sockets, some files deploy on moto.
    { ...slow, displayName: "gateway", testMatch: ["<rootDir>/__tests__/local-gateway/**/*.test.ts"] },
    { ...slow, displayName: "clone", testMatch: ["<rootDir>/__tests__/clone/**/*.test.ts"] },
  ],
};
